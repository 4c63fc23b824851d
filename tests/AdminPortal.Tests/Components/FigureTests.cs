using AdminPortal.Web.Components.Shared;
using Bunit;

namespace AdminPortal.Tests.Components;

public sealed class FigureTests : ComponentTest
{
    private IRenderedComponent<Figure> Figure(long value, bool warn = false) =>
        Render<Figure>(p => p.Add(f => f.Label, "Audit events").Add(f => f.Value, value).Add(f => f.TestId, "fig-x").Add(f => f.Warn, warn));

    [Fact]
    public void Shows_the_label_and_the_value_with_thousands_separators()
    {
        // The portal runs with invariant globalization: the separator is always a comma.
        var figure = Figure(1234567);
        Assert.Contains("Audit events", figure.Markup);
        Assert.Equal("1,234,567", figure.Find("[data-testid=fig-x]").TextContent.Trim());
    }

    [Fact]
    public void A_warning_figure_is_coloured_and_a_normal_one_is_not()
    {
        Assert.Contains("mud-warning-text", Figure(3, warn: true).Find("[data-testid=fig-x]").ClassList);
        Assert.DoesNotContain("mud-warning-text", Figure(3).Find("[data-testid=fig-x]").ClassList);
    }

    [Fact]
    public void Zero_is_shown_as_zero()
    {
        Assert.Equal("0", Figure(0).Find("[data-testid=fig-x]").TextContent.Trim());
    }
}
