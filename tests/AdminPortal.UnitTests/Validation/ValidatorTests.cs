namespace AdminPortal.UnitTests.Validation;

/// <summary>
/// Every validator, table-driven: it keeps its good values, refuses its bad ones, never lets a control character through
/// (a trailing newline or CR, a NUL: .NET's <c>$</c> matches before a final newline), and refuses a long near-miss at once.
/// </summary>
public sealed class ValidatorTests
{
    public static IEnumerable<object[]> Cases => ValidatorTable.Cases();

    /// <summary>Where a validator has to answer a hostile input by: generous, so that it holds on a machine at load 8.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    [Theory, MemberData(nameof(Cases))]
    public void Keeps_its_good_values(string name)
    {
        var c = ValidatorTable.Named(name);
        foreach (var good in c.Good)
        {
            var kept = c.Check(good);
            Assert.True(kept is not null, $"{c}: refused its good value '{good}'");
            Assert.False(kept.Any(char.IsControl), $"{c}: '{good}' kept as a value with a control character");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void Refuses_its_bad_values(string name)
    {
        var c = ValidatorTable.Named(name);
        foreach (var bad in c.Bad) Assert.True(c.Check(bad) is null, $"{c}: accepted the bad value '{Escape(bad)}'");
    }

    public static IEnumerable<object[]> ControlCases =>
        from c in ValidatorTable.All
        from how in new[] { "trailing \\n", "trailing \\r", "trailing \\r\\n", "trailing NUL", "leading \\n", "NUL inside" }
        select new object[] { c.Name, how };

    [Theory, MemberData(nameof(ControlCases))]
    public void A_control_character_never_gets_through(string name, string how)
    {
        var c = ValidatorTable.Named(name);
        foreach (var good in c.Good)
        {
            var hostile = how switch
            {
                "trailing \\n" => good + "\n",
                "trailing \\r" => good + "\r",
                "trailing \\r\\n" => good + "\r\n",
                "trailing NUL" => good + "\0",
                "leading \\n" => "\n" + good,
                _ => good[..(good.Length / 2)] + "\0" + good[(good.Length / 2)..],
            };
            var kept = c.Check(hostile);
            Assert.True(kept is null || !kept.Any(char.IsControl), $"{c}: '{Escape(hostile)}' got through as '{Escape(kept ?? "")}'");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Refuses_a_long_near_miss_at_once(string name)
    {
        var c = ValidatorTable.Named(name);
        foreach (var nearMiss in c.NearMisses)
        {
            // On a thread of its own: a pattern that backtracks catastrophically would hold this test for hours otherwise.
            var check = Task.Run(() => c.Check(nearMiss));
            var answered = await Task.WhenAny(check, Task.Delay(Bound)) == check;
            Assert.True(answered, $"{c}: no answer within {Bound.TotalSeconds} s for the {nearMiss.Length}-character near-miss '{Escape(nearMiss)}'");
            Assert.True(await check is null, $"{c}: accepted the near-miss '{Escape(nearMiss)}'");
        }
    }

    private static string Escape(string s) => s.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\0", "\\0");
}
