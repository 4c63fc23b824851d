using AdminPortal.Web.Dashboard;
using MudBlazor.Services;

namespace AdminPortal.Web.Components;

public static class UiServices
{
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<DashboardService>();
        return builder;
    }
}
