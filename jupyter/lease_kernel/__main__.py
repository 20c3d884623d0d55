"""``python -m lease_kernel -f CONNECTION_FILE``: what the kernelspec runs."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import LeaseKernel

IPKernelApp.launch_instance(kernel_class=LeaseKernel)
