int ced_stub(void);
