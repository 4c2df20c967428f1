package dev.ferry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBudgetTest {

    @Test
    void accountsShareOneLimit() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Account a = budget.open();
        MemoryBudget.Account b = budget.open();
        assertThat(a.tryAcquire(600)).isTrue();
        assertThat(b.tryAcquire(600)).as("beyond the limit, with another account").isFalse();
        assertThat(b.tryAcquire(400)).isTrue();
        assertThat(budget.used()).isEqualTo(1000);
        a.release(600);
        assertThat(b.tryAcquire(600)).isTrue();
        assertThat(a.held()).isZero();
        assertThat(b.held()).isEqualTo(1000);
    }

    @Test
    void theOneThingThatKeepsThingsMovingIsTakenEvenBeyondTheLimit() {
        MemoryBudget budget = new MemoryBudget(100);
        MemoryBudget.Account a = budget.open();
        a.acquire(80);
        a.acquire(80);
        assertThat(budget.used()).isEqualTo(160);
        assertThat(a.tryAcquire(1)).isFalse();
        MemoryBudget empty = new MemoryBudget(100);
        assertThat(empty.open().tryAcquire(500)).as("a request larger than an unused budget").isTrue();
    }

    @Test
    void closingAnAccountGivesBackWhatItsComponentsDidNotAndItTakesNothingAfter() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Account failed = budget.open();
        failed.acquire(700);
        failed.release(100);
        failed.close();
        assertThat(budget.used()).isZero();
        // A reply thread of the failed attempt may still give back what it had: nothing is given twice.
        failed.release(600);
        failed.acquire(50);
        assertThat(budget.used()).isZero();
        assertThat(budget.open().tryAcquire(1000)).isTrue();
    }

    @Test
    void givingBackMoreThanWasTakenGivesBackOnlyWhatWasTaken() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Account a = budget.open();
        MemoryBudget.Account b = budget.open();
        a.acquire(100);
        b.acquire(300);
        a.release(250);
        assertThat(budget.used()).isEqualTo(300);
    }

    @Test
    void theDefaultBudgetIsAQuarterOfTheHeap() {
        assertThat(MemoryBudget.fromHeap().limit()).isEqualTo(Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 4));
        assertThat(MemoryBudget.fromHeap()).as("one per process").isSameAs(MemoryBudget.fromHeap());
    }
}
