// zlib, as provided by Debian's zlib1g-dev: Descent reads gzip-compressed data files (the IDX
// files of MNIST and Fashion-MNIST) with gzopen / gzread, which also read uncompressed files.
#ifndef DESCENT_CZLIB_H
#define DESCENT_CZLIB_H
#include <zlib.h>
#endif
