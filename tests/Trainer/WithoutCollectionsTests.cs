using System.Runtime;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>The no-GC region around AdamW's step: no collection inside it, none of its temporaries finalized, the process
/// left as it was whether the region held, was overrun, or was already open.</summary>
[Collection(SerialCollection.Name)]
public sealed class WithoutCollectionsTests
{
    /// <summary>Counts its finalizations: what TorchSharp's Scalar does in its finalizer is free its native value.</summary>
    private sealed class Finalized
    {
        public static int Count;
        ~Finalized() => Interlocked.Increment(ref Count);
    }

    [Fact]
    public void No_collection_runs_inside_so_no_temporary_is_finalized_while_the_work_runs_and_the_region_ends_after()
    {
        int finalizedInside = -1;
        var protectedRun = WithoutCollections.Run(() =>
        {
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            // Opening the region may collect once; from then on, none.
            var collections = GC.CollectionCount(0);
            var before = Finalized.Count;
            MakeGarbage();
            // A collection asked for by another thread while the work runs: refused inside the region.
            var other = new Thread(() => { for (var i = 0; i < 1000; i++) _ = new byte[64]; });
            other.Start();
            other.Join();
            GC.WaitForPendingFinalizers();
            finalizedInside = Finalized.Count - before;
            Assert.Equal(collections, GC.CollectionCount(0));
        });
        Assert.True(protectedRun);
        Assert.Equal(0, finalizedInside);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);

        // The same garbage outside a region is collected and finalized: the counter can see it.
        var before = Finalized.Count;
        MakeGarbage();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(Finalized.Count > before);
    }

    [Fact]
    public void Allocating_past_the_budget_ends_the_region_without_an_error_and_a_nested_run_is_covered_by_the_outer()
    {
        WithoutCollections.Run(() =>
        {
            for (var i = 0; i < 4; i++)
                GC.KeepAlive(new byte[WithoutCollections.Budget / 2]);
        });
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);

        var ranInner = false;
        WithoutCollections.Run(() => Assert.False(WithoutCollections.Run(() => ranInner = true)));
        Assert.True(ranInner);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeGarbage()
    {
        for (var i = 0; i < 100; i++)
            _ = new Finalized();
    }
}
