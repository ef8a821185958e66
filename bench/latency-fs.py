#!/usr/bin/python3
# Copied from the project's shared bench rig (shared/bench/latency-fs.py, given with issue #16), unchanged
# but for this comment: the bench mounts it itself, so that a clean clone can run the latency regime.
"""Passthrough FUSE filesystem that adds a fixed delay to every metadata operation and each read/write call,
to imitate a network filesystem (NFS-like round trips). Usage: latfs.py ROOT MOUNTPOINT DELAY_MS"""
import errno, os, sys, time
from fusepy import FUSE, FuseOSError, Operations

class Lat(Operations):
    def __init__(self, root, delay):
        self.root, self.d = os.path.realpath(root), delay
    def _p(self, path):
        return os.path.join(self.root, path.lstrip('/'))
    def _w(self):
        time.sleep(self.d)
    def access(self, path, mode):
        self._w()
        if not os.access(self._p(path), mode): raise FuseOSError(errno.EACCES)
    def getattr(self, path, fh=None):
        self._w()
        try: st = os.lstat(self._p(path))
        except OSError as e: raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in ('st_atime','st_ctime','st_gid','st_mode','st_mtime','st_nlink','st_size','st_uid','st_ino')}
    def readdir(self, path, fh):
        self._w(); return ['.', '..'] + os.listdir(self._p(path))
    def readlink(self, path):
        self._w(); return os.readlink(self._p(path))
    def mkdir(self, path, mode):
        self._w(); os.mkdir(self._p(path), mode)
    def rmdir(self, path):
        self._w(); os.rmdir(self._p(path))
    def unlink(self, path):
        self._w(); os.unlink(self._p(path))
    def rename(self, old, new):
        self._w(); os.rename(self._p(old), self._p(new))
    def chmod(self, path, mode):
        self._w(); os.chmod(self._p(path), mode)
    def chown(self, path, uid, gid):
        self._w(); os.chown(self._p(path), uid, gid)
    def utimens(self, path, times=None):
        self._w(); os.utime(self._p(path), times)
    def statfs(self, path):
        st = os.statvfs(self._p(path))
        return {k: getattr(st, k) for k in ('f_bavail','f_bfree','f_blocks','f_bsize','f_favail','f_ffree','f_files','f_flag','f_frsize','f_namemax')}
    def open(self, path, flags):
        self._w(); return os.open(self._p(path), flags)
    def create(self, path, mode, fi=None):
        self._w(); return os.open(self._p(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    def read(self, path, size, offset, fh):
        self._w(); return os.pread(fh, size, offset)
    def write(self, path, data, offset, fh):
        self._w(); return os.pwrite(fh, data, offset)
    def truncate(self, path, length, fh=None):
        self._w(); os.truncate(self._p(path), length)
    def flush(self, path, fh):
        return 0
    def release(self, path, fh):
        self._w(); os.close(fh)
    def fsync(self, path, datasync, fh):
        self._w(); os.fsync(fh)

if __name__ == '__main__':
    FUSE(Lat(sys.argv[1], float(sys.argv[3]) / 1000), sys.argv[2], foreground=True, nothreads=False, big_writes=True, max_read=1048576, max_write=1048576)
