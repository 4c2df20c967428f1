package dev.ferry.source;

import dev.ferry.MemoryBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolTest {

    @TempDir
    Path dir;

    @Test
    void bytesComeOutInOrderAcrossMemoryAndDisk() throws Exception {
        Spool spool = new Spool(dir, 10_000, 10_000_000);
        byte[] all = new byte[1_000_000];
        new Random(1).nextBytes(all);
        Thread writer = new Thread(() -> {
            try {
                Random r = new Random(2);
                int at = 0;
                while (at < all.length) {
                    int n = Math.min(all.length - at, 1 + r.nextInt(5000));
                    byte[] chunk = new byte[n];
                    System.arraycopy(all, at, chunk, 0, n);
                    spool.write(chunk, n);
                    at += n;
                }
                spool.finish(null);
            } catch (IOException e) {
                spool.finish(e);
            }
        });
        writer.start();
        // Let the writer run ahead so that most of the bytes go to disk.
        writer.join();
        assertThat(spool.buffered()).isEqualTo(all.length);
        assertThat(Files.list(dir).count()).isPositive();
        assertThat(readAll(spool.input())).isEqualTo(all);
        assertThat(spool.buffered()).isZero();
        spool.close();
        assertThat(Files.list(dir).count()).isZero();
    }

    @Test
    void aSpoolThatCannotGetMemorySpillsToDiskInsteadOfBlocking() throws Exception {
        MemoryBudget budget = new MemoryBudget(1000);
        budget.open().acquire(1000);
        MemoryBudget.Account account = budget.open();
        Spool spool = new Spool(dir, 1 << 20, 1 << 20, account);
        byte[] all = new byte[5000];
        new Random(3).nextBytes(all);
        for (int at = 0; at < all.length; at += 500) {
            // Each write returns at once: the reader has not started.
            spool.write(java.util.Arrays.copyOfRange(all, at, at + 500), 500);
        }
        spool.finish(null);
        assertThat(account.held()).as("memory taken by the spool").isZero();
        assertThat(Files.list(dir).count()).as("segment files").isPositive();
        assertThat(readAll(spool.input())).isEqualTo(all);
        spool.close();
    }

    @Test
    void anEmptySpoolTakesAChunkWhateverTheBudgetSoTheParserNeverStarves() throws Exception {
        MemoryBudget budget = new MemoryBudget(1000);
        budget.open().acquire(1000);
        MemoryBudget.Account account = budget.open();
        Spool spool = new Spool(null, 1 << 20, 0, account);
        spool.write(new byte[300], 300);
        assertThat(account.held()).isEqualTo(300);
        assertThat(spool.input().read(new byte[300], 0, 300)).isEqualTo(300);
        assertThat(account.held()).as("given back once read").isZero();
        spool.close();
    }

    @Test
    void memoryComesFromTheBudgetAndGoesBackWhenReadOrClosed() throws Exception {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        MemoryBudget.Account account = budget.open();
        Spool spool = new Spool(dir, 1 << 20, 1 << 20, account);
        spool.write(new byte[1000], 1000);
        spool.write(new byte[2000], 2000);
        assertThat(budget.used()).isEqualTo(3000);
        assertThat(spool.input().read(new byte[1000], 0, 1000)).isEqualTo(1000);
        assertThat(budget.used()).isEqualTo(2000);
        spool.close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFullSpoolBlocksTheWriterUntilTheReaderCatchesUp() throws Exception {
        Spool spool = new Spool(null, 100, 0);
        spool.write(new byte[100], 100);
        AtomicReference<Boolean> wrote = new AtomicReference<>(false);
        Thread writer = new Thread(() -> {
            try {
                spool.write(new byte[50], 50);
                wrote.set(true);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        writer.join(300);
        assertThat(wrote.get()).isFalse();
        InputStream in = spool.input();
        assertThat(in.read(new byte[100], 0, 100)).isEqualTo(100);
        writer.join(5000);
        assertThat(wrote.get()).isTrue();
        assertThat(spool.buffered()).isEqualTo(50);
    }

    @Test
    void theReaderGetsTheWritersErrorAfterTheLastBytes() throws Exception {
        Spool spool = new Spool(null, 1000, 0);
        spool.write(new byte[] {1, 2, 3}, 3);
        spool.finish(new EOFException("the source closed the replication link"));
        InputStream in = spool.input();
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(3);
        assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isInstanceOf(EOFException.class)
                .hasMessageContaining("closed the replication link");
    }

    @Test
    void closingWakesABlockedReader() throws Exception {
        Spool spool = new Spool(null, 1000, 0);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                spool.input().read(new byte[10], 0, 10);
            } catch (IOException e) {
                error.set(e);
            }
        });
        reader.start();
        Thread.sleep(100);
        spool.close();
        reader.join(5000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(error.get()).hasMessageContaining("closed");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[7000];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
