package dev.eventkit.connect.dlq.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file-system calls the file archive makes to write and seal a file; tests replace it to
 * simulate a full disk or a failing sync.
 */
interface ArchiveFileSystem {

  /** Creates (or truncates) a file for writing. */
  FileChannel create(Path file) throws IOException;

  /** Renames a file atomically, replacing any file of the target name. */
  void rename(Path from, Path to) throws IOException;

  /** Makes a directory's entries (a rename into it) durable. */
  void syncDirectory(Path directory) throws IOException;

  /** The local file system. */
  ArchiveFileSystem LOCAL =
      new ArchiveFileSystem() {
        @Override
        public FileChannel create(Path file) throws IOException {
          return FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
          Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
          try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
          }
        }
      };
}
