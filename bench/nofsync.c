// make bench: what durability costs. Preloaded into ops, this makes fsync and fdatasync do
// nothing, so the same command can be timed with and without flushing to disk.
int fsync(int fd) { (void)fd; return 0; }
int fdatasync(int fd) { (void)fd; return 0; }
