// Nettle's SHA-256 (nettle-dev), the digest of every blob and layer Berth stores or fetches.
// Nettle picks its SHA-NI code at run time on CPUs that have it.
#include <nettle/sha2.h>
