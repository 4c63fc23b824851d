using System.Globalization;
using AdminPortal.Web.Pki.Pages;
using AngleSharp.Dom;
using Bunit;

namespace AdminPortal.Tests.Components.Pki;

public sealed class ExpiryChartTests : ComponentTest
{
    private static readonly DateTimeOffset Now = new(2025, 3, 3, 12, 0, 0, TimeSpan.Zero);

    private IRenderedComponent<ExpiryChart> Chart(int weeks, params double[] daysFromNow) =>
        Render<ExpiryChart>(p => p.Add(c => c.Expiries, daysFromNow.Select(d => Now.AddDays(d)).ToList()).Add(c => c.Now, Now).Add(c => c.Weeks, weeks));

    private static double Height(IElement e) => double.Parse(e.GetAttribute("height")!, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(6.99, 0)]
    [InlineData(7, 1)]
    [InlineData(29, 4)]
    [InlineData(90.9, 12)]
    public void An_expiry_falls_into_the_week_counted_from_now(double days, int week)
    {
        var weeks = ExpiryChart.Bucket([Now.AddDays(days)], Now, 13);
        Assert.Equal(13, weeks.Count);
        Assert.Equal(week, weeks.ToList().FindIndex(w => w.Count == 1));
        Assert.Equal(1, weeks.Sum(w => w.Count));
    }

    [Fact]
    public void Past_and_too_distant_expiries_are_left_out()
    {
        var weeks = ExpiryChart.Bucket([Now.AddDays(-1), Now.AddDays(91), Now.AddDays(400)], Now, 13);
        Assert.All(weeks, w => Assert.Equal(0, w.Count));
    }

    [Fact]
    public void Weeks_start_today_and_step_by_seven_days()
    {
        var weeks = ExpiryChart.Bucket([], Now, 3);
        Assert.Equal([new DateOnly(2025, 3, 3), new DateOnly(2025, 3, 10), new DateOnly(2025, 3, 17)], weeks.Select(w => w.Start));
    }

    [Fact]
    public void Bars_are_proportional_and_the_first_week_is_drawn_as_urgent()
    {
        var chart = Chart(4, 1, 2, 8, 8, 8, 8, 22);
        var bars = chart.FindAll("rect");

        Assert.Equal(4, bars.Count);
        Assert.Equal("bar-fail", bars[0].GetAttribute("class"));
        Assert.All(bars.Skip(1), b => Assert.Equal("bar-ok", b.GetAttribute("class")));
        Assert.Equal(156, Height(bars[1])); // the busiest week fills the chart
        Assert.Equal(78, Height(bars[0]), 1);
        Assert.Equal(0, Height(bars[2]));
        Assert.Equal(39, Height(bars[3]), 1);
        Assert.Contains("2 certificates expire", bars[0].TextContent);
        Assert.Contains("1 certificate expires", bars[3].TextContent);
    }

    [Fact]
    public void Labels_name_the_month_at_the_start_and_where_it_changes()
    {
        var labels = Chart(6).FindAll(".day-labels span").Select(s => s.TextContent).ToList();
        Assert.Equal(["3 Mar", "10", "17", "24", "31", "7 Apr"], labels);
    }

    [Fact]
    public void Nothing_expiring_draws_flat_bars_not_NaN()
    {
        var chart = Chart(13);
        Assert.Equal(13, chart.FindAll("rect").Count);
        Assert.All(chart.FindAll("rect"), r => Assert.Equal(0, Height(r)));
        Assert.NotNull(chart.Find("svg[role=img]"));
    }
}
