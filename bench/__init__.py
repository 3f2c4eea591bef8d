"""The benchmark harness of issue 9: data generator, load runs, query counts, timings."""
