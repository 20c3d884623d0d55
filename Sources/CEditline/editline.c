#include "CEditline.h"
int ced_stub(void){return 0;}
