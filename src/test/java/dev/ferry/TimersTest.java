package dev.ferry;

import dev.ferry.resp.ClientName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TimersTest {

    @Test
    void eachRunIsOnAThreadNamedAfterItsJobWithTheConnectionNamesOfTheTaskThatAskedForIt() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch runs = new CountDownLatch(4);
        Timers.Job[] jobs = new Timers.Job[2];
        for (int i = 0; i < 2; i++) {
            int task = i;
            Thread owner = new Thread(() -> {
                ClientName.set("task" + task, ClientName.ADMIN);
                jobs[task] = Timers.every("ferry-ack-task" + task, Duration.ZERO, Duration.ofMillis(10), () -> {
                    seen.add(Thread.currentThread().getName() + " " + ClientName.of("heartbeat"));
                    runs.countDown();
                });
            });
            owner.start();
            owner.join();
        }
        assertThat(runs.await(10, TimeUnit.SECONDS)).isTrue();
        jobs[0].close();
        jobs[1].close();
        assertThat(seen).contains("ferry-ack-task0 ferry:task0:heartbeat", "ferry-ack-task1 ferry:task1:heartbeat")
                .allMatch(s -> s.equals("ferry-ack-task0 ferry:task0:heartbeat") || s.equals("ferry-ack-task1 ferry:task1:heartbeat"));
    }

    @Test
    void aClosedJobRunsNoMoreAndCloseWaitsForTheRunUnderWay() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        Timers.Job job = Timers.every("ferry-test-slow", Duration.ZERO, Duration.ofMillis(1), () -> {
            runs.incrementAndGet();
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        job.close();
        assertThat(interrupted.get()).isEqualTo(1);
        Thread.sleep(50);
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void aJobThatThrowsIsNotRunAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        Timers.Job job = Timers.every("ferry-test-throws", Duration.ZERO, Duration.ofMillis(1), () -> {
            runs.incrementAndGet();
            ran.countDown();
            throw new IllegalStateException("boom");
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        job.close();
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void quickJobsRunOnTheClockThreadOneAfterAnother() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        java.util.Set<Thread> runners = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CountDownLatch runs = new CountDownLatch(6);
        Timers.Job a = Timers.everyQuick("ferry-ack-a", Duration.ZERO, Duration.ofMillis(5), () -> {
            threads.add(Thread.currentThread().getName());
            runners.add(Thread.currentThread());
            runs.countDown();
        });
        Timers.Job b = Timers.everyQuick("ferry-ack-b", Duration.ZERO, Duration.ofMillis(5), () -> {
            threads.add(Thread.currentThread().getName());
            runners.add(Thread.currentThread());
            runs.countDown();
        });
        assertThat(runs.await(10, TimeUnit.SECONDS)).isTrue();
        a.close();
        b.close();
        assertThat(runners).hasSize(1);
        assertThat(threads).contains("ferry-ack-a", "ferry-ack-b").allMatch(n -> n.equals("ferry-ack-a") || n.equals("ferry-ack-b"));
    }
}
