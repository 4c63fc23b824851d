using System.Security.Claims;
using AdminPortal.Data;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Account;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Security;

public static class SecurityServices
{
    public const string PortalScheme = "Portal";

    /// <summary>Identity with cookies and TOTP, bearer API tokens, and one policy per permission.</summary>
    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false); // no "Server: Kestrel" to fingerprint the portal by
        s.AddHttpContextAccessor();
        s.AddAuthentication(o =>
            {
                o.DefaultScheme = PortalScheme;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(PortalScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                // The API changes state for bearer tokens only, so a cross-site request cannot ride an operator's cookie.
                || http.Request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        s.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "adminportal";
            o.Cookie.HttpOnly = true;
            // Secure whenever the request is HTTPS (directly, or behind a trusted proxy sending X-Forwarded-Proto);
            // plain HTTP on 127.0.0.1 in development keeps working.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            // The session must still be live on the server (not signed out, within its absolute lifetime) before
            // Identity's own checks (security stamp, disabled operator) run.
            var stampCheck = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var sessions = ctx.HttpContext.RequestServices.GetRequiredService<OperatorSessions>();
                if (ctx.Principal is null || !await sessions.IsLiveAsync(ctx.Principal, ctx.HttpContext.RequestAborted))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                await stampCheck(ctx);
            };
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
        });
        s.AddOptions<OperatorSessionOptions>().BindConfiguration(OperatorSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<OperatorSessionOptions>>((o, sessions) => o.ExpireTimeSpan = sessions.Value.IdleTimeout);
        s.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        s.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            // The validator rebuilds the principal from the database, which drops how the operator signed in
            // (amr=mfa): without this every session became password-only, and lost the portal, after a minute.
            // The same for the session id, without which the session would end at the first revalidation.
            o.OnRefreshingPrincipal = ctx =>
            {
                if (ctx.NewPrincipal?.Identity is ClaimsIdentity identity && ctx.CurrentPrincipal is { } current)
                    foreach (var kept in current.Claims.Where(c => c.Type is Actors.AuthMethodClaim or OperatorSessions.ClaimType && !identity.HasClaim(c.Type, c.Value)))
                        identity.AddClaim(new Claim(kept.Type, kept.Value));
                return Task.CompletedTask;
            };
        });

        s.AddIdentityCore<Operator>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequiredUniqueChars = 4;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddPasswordValidator<NotEmailPasswordValidator>()
            .AddDefaultTokenProviders();
        s.AddScoped<IUserStore<Operator>, PortalUserStore>();

        s.AddAuthorizationBuilder()
            .SetFallbackPolicy(FullyAuthenticated(new AuthorizationPolicyBuilder(PortalScheme)).Build())
            .AddPolicy(Enrolment, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireAuthenticatedUser());
        s.Configure<AuthorizationOptions>(o =>
        {
            foreach (var (permission, roles) in Permissions.Matrix)
                o.AddPolicy(permission, FullyAuthenticated(new AuthorizationPolicyBuilder(PortalScheme)).RequireRole(roles).Build());
        });

        s.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, DeniedAccessAuditing>();
        s.AddScoped<CircuitClient>();
        s.AddScoped<CircuitHandler, CircuitClientHandler>();
        s.AddScoped<AuthenticationStateProvider, RevalidatingOperatorStateProvider>();
        s.AddCascadingAuthenticationState();
        s.AddScoped<LoginService>();
        s.AddOptions<LoginThrottleOptions>().BindConfiguration(LoginThrottleOptions.Section);
        s.AddSingleton<LoginThrottle>();
        s.AddScoped<EnrolmentService>();
        s.AddSingleton<ApiTokenService>();
        s.AddSingleton<ApiTokenCache>();
        s.AddSingleton<IInstanceCache>(sp => sp.GetRequiredService<ApiTokenCache>());
        s.AddSingleton<SessionCache>();
        s.AddSingleton<IInstanceCache>(sp => sp.GetRequiredService<SessionCache>());
        s.AddSingleton<OperatorSessions>();
        s.AddSingleton<ApiTokenInvalidation>();
        s.AddHostedService(sp => sp.GetRequiredService<ApiTokenInvalidation>());
        s.AddSingleton<OperatorService>();
        s.AddSingleton<SetupLinks>();
        return builder;
    }

    /// <summary>Authenticated with a token, or as an operator who passed the second factor (not merely a password).</summary>
    public const string Enrolment = "enrolment";

    private static AuthorizationPolicyBuilder FullyAuthenticated(AuthorizationPolicyBuilder b) =>
        b.RequireAuthenticatedUser().RequireAssertion(ctx => Actors.IsFullyAuthenticated(ctx.User));

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
