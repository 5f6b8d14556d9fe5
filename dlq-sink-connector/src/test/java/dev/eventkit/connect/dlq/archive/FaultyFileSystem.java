package dev.eventkit.connect.dlq.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local file system, with a log of the calls that make a file durable and switches that make
 * writes fail as on a full disk, or make the file or directory sync fail.
 */
final class FaultyFileSystem implements ArchiveFileSystem {

  final List<String> calls = new ArrayList<>();
  volatile boolean diskFull;
  volatile boolean forceFails;
  volatile boolean directorySyncFails;

  @Override
  public FileChannel create(Path file) throws IOException {
    calls.add("create " + file.getFileName());
    return new Channel(ArchiveFileSystem.LOCAL.create(file), file.getFileName().toString());
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    calls.add("rename " + from.getFileName() + " " + to.getFileName());
    ArchiveFileSystem.LOCAL.rename(from, to);
  }

  @Override
  public void syncDirectory(Path directory) throws IOException {
    if (directorySyncFails) {
      throw new IOException("Input/output error (simulated directory fsync failure)");
    }
    calls.add("sync directory");
    ArchiveFileSystem.LOCAL.syncDirectory(directory);
  }

  private final class Channel extends FileChannel {
    private final FileChannel real;
    private final String name;

    Channel(FileChannel real, String name) {
      this.real = real;
      this.name = name;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (diskFull) {
        throw new IOException("No space left on device (simulated)");
      }
      return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      if (diskFull) {
        throw new IOException("No space left on device (simulated)");
      }
      return real.write(srcs, offset, length);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (diskFull) {
        throw new IOException("No space left on device (simulated)");
      }
      return real.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (forceFails) {
        throw new IOException("Input/output error (simulated fsync failure)");
      }
      calls.add("force " + name);
      real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return real.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      calls.add("close " + name);
      real.close();
    }
  }
}
