// Everything is inline in include/csystem.h; SwiftPM needs one source file per C target.
#include "csystem.h"
