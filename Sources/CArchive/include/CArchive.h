// CArchive: libarchive's headers for BerthImage (layer unpack and diff, save/load).
#ifndef CARCHIVE_H
#define CARCHIVE_H
#include <archive.h>
#include <archive_entry.h>
#endif
