using System.Globalization;
using AdminPortal.Web.Dashboard;
using AngleSharp.Dom;
using Bunit;

namespace AdminPortal.Tests.Components;

public sealed class ActivityChartTests : ComponentTest
{
    private static readonly DateOnly Monday = new(2025, 3, 3);

    private IRenderedComponent<ActivityChart> Chart(params (long Events, long Failures)[] days) =>
        Render<ActivityChart>(p => p.Add(c => c.Days, days.Select((d, i) => new DayActivity(Monday.AddDays(i), d.Events, d.Failures)).ToList()));

    private static double Number(IElement e, string attribute) =>
        double.Parse(e.GetAttribute(attribute)!, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void Bars_are_proportional_to_the_day_counts()
    {
        var chart = Chart((10, 0), (5, 0), (0, 0), (2, 0));
        var heights = chart.FindAll("rect.bar-ok").Select(r => Number(r, "height")).ToList();

        Assert.Equal(4, heights.Count);
        Assert.True(heights[0] > 0);
        Assert.Equal(heights[0] / 2, heights[1], 1);
        Assert.Equal(0, heights[2]);
        Assert.Equal(heights[0] / 5, heights[3], 1);
        // The busiest day fills the chart up to a small top margin.
        Assert.Equal(156, heights[0]);
    }

    [Fact]
    public void Failures_are_drawn_in_their_own_colour_under_the_successes()
    {
        var chart = Chart((10, 4), (10, 0));
        var ok = chart.FindAll("rect.bar-ok");
        var fail = chart.FindAll("rect.bar-fail");

        Assert.Equal(0.4, Number(fail[0], "height") / 156, 2);
        Assert.Equal(0.6, Number(ok[0], "height") / 156, 2);
        // Stacked: the failure bar sits on the baseline and the success bar directly on top of it.
        Assert.Equal(160, Number(fail[0], "y") + Number(fail[0], "height"), 1);
        Assert.Equal(Number(fail[0], "y"), Number(ok[0], "y") + Number(ok[0], "height"), 1);
        Assert.Equal(0, Number(fail[1], "height"));
        Assert.Contains("10 events, 4 failed", ok[0].TextContent);
    }

    [Fact]
    public void Bars_are_labelled_with_the_day_of_the_month()
    {
        var chart = Chart((1, 0), (1, 0), (1, 0));
        Assert.Equal(["3", "4", "5"], chart.FindAll(".day-labels span").Select(s => s.TextContent));
    }

    [Fact]
    public void Empty_data_draws_an_empty_chart_without_failing()
    {
        var chart = Chart();
        Assert.Empty(chart.FindAll("rect"));
        Assert.NotNull(chart.Find("line.baseline"));
        Assert.NotNull(chart.Find("svg[role=img]"));
        Assert.Matches(@"^0 0 \d+ \d+$", chart.Find("svg").GetAttribute("viewBox"));
    }

    [Fact]
    public void A_quiet_fortnight_draws_zero_height_bars_not_NaN()
    {
        var chart = Chart([.. Enumerable.Repeat((0L, 0L), 14)]);
        Assert.Equal(14, chart.FindAll("rect.bar-ok").Count);
        Assert.All(chart.FindAll("rect"), r => Assert.Equal(0, Number(r, "height")));
    }
}
