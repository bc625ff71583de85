// cmark-gfm from the system (Debian: libcmark-gfm-dev, libcmark-gfm-extensions-dev): the
// CommonMark + GitHub extensions renderer GitHub itself is built on, so pack.html shows what
// pack.md shows on GitHub.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
