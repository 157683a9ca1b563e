package io.loomchat.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BufferSizerTest {
    @Test
    void fullReadsGrowTheBufferToInBufferSizeThenFourfoldUpTo64KiB() {
        BufferSizer sizer = new BufferSizer(4096);
        int size = sizer.initialSize();
        assertEquals(256, size);
        int[] expected = {4096, 16384, 65536, 65536};
        for (int grown : expected) {
            sizer.read(size, size, size);
            size = sizer.nextSize(size);
            assertEquals(grown, size);
        }
    }

    @Test
    void aRunOfSmallReadsStepsTheBufferDownOneSizeAtATime() {
        BufferSizer sizer = new BufferSizer(4096);
        int size = 65536;
        for (int i = 0; i < BufferSizer.SMALL_READS_TO_SHRINK - 1; i++) {
            sizer.read(100, size, size);
            assertEquals(size, sizer.nextSize(size), "not yet, after " + (i + 1) + " small reads");
        }
        sizer.read(100, size, size);
        size = sizer.nextSize(size);
        assertEquals(4096, size);
        for (int i = 0; i < BufferSizer.SMALL_READS_TO_SHRINK; i++) sizer.read(100, size, size);
        assertEquals(256, sizer.nextSize(size));
    }

    @Test
    void aReadOfHalfTheSmallerSizeOrMoreKeepsTheSize() {
        BufferSizer sizer = new BufferSizer(16384);
        int size = 16384;
        for (int i = 0; i < 100; i++) {
            sizer.read(600, size, size);  // over half of the 256-byte quiet size
            assertEquals(size, sizer.nextSize(size));
        }
    }

    @Test
    void aSizeUnder4096IsKeptExactlyAsAsynchatDoes() {
        BufferSizer sizer = new BufferSizer(7);
        assertEquals(7, sizer.initialSize());
        sizer.read(7, 7, 7);
        assertEquals(7, sizer.nextSize(7));
    }
}
