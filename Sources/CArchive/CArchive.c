// Nothing to wrap yet: libarchive's API is callable from Swift as it is.
#include "CArchive.h"
