using System.Globalization;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// A latency distribution in milliseconds. Percentiles use the nearest-rank method (the smallest sample with at
/// least p% of the samples at or below it), so every figure reported is a value that was actually measured.
/// </summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = samples.ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Mean => _sorted.Length == 0 ? double.NaN : _sorted.Average();

    public double Min => At(0);

    public double P50 => Percentile(50);

    public double P95 => Percentile(95);

    public double P99 => Percentile(99);

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    private double At(int index) => _sorted.Length == 0 ? double.NaN : _sorted[index];

    /// <summary>Milliseconds with two decimals (or three below 1 ms), the way the tables print them.</summary>
    public static string Ms(double value) =>
        double.IsNaN(value)
            ? "–"
            : value.ToString(Math.Abs(value) < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);
}
