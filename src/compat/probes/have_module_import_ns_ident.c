// SPDX-License-Identifier: GPL-2.0
/* HAVE_MODULE_IMPORT_NS_IDENT: MODULE_IMPORT_NS() takes a bare name (a string from 6.13). */
#include <linux/module.h>

MODULE_IMPORT_NS(CXL);
