using AdminPortal.Data.Audit;
using AdminPortal.Data.Bundles;
using AdminPortal.Data.Email;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.Jobs;
using AdminPortal.Data.Mail;
using AdminPortal.Data.Notifications;
using AdminPortal.Data.Onboarding;
using AdminPortal.Data.Operators;
using AdminPortal.Data.Pki;
using AdminPortal.Data.VpnServers;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Data;

public class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<Operator>(options), IDataProtectionKeyContext
{
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<SetupLink> SetupLinks => Set<SetupLink>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<CertificateAuthority> CertificateAuthorities => Set<CertificateAuthority>();
    public DbSet<VpnUser> VpnUsers => Set<VpnUser>();
    public DbSet<IssuedCertificate> Certificates => Set<IssuedCertificate>();
    public DbSet<VpnProfile> VpnProfiles => Set<VpnProfile>();
    public DbSet<DownloadLink> DownloadLinks => Set<DownloadLink>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<SmtpSettingsRow> SmtpSettings => Set<SmtpSettingsRow>();
    public DbSet<SshCredential> SshCredentials => Set<SshCredential>();
    public DbSet<ManagedHost> Hosts => Set<ManagedHost>();
    public DbSet<ActionRun> ActionRuns => Set<ActionRun>();
    public DbSet<RunHostResult> RunHostResults => Set<RunHostResult>();
    public DbSet<NotificationTemplateRow> NotificationTemplates => Set<NotificationTemplateRow>();
    public DbSet<OnboardingRun> OnboardingRuns => Set<OnboardingRun>();
    public DbSet<OnboardingStep> OnboardingSteps => Set<OnboardingStep>();
    public DbSet<MailHost> MailHosts => Set<MailHost>();
    public DbSet<Mailbox> Mailboxes => Set<Mailbox>();
    public DbSet<VpnServer> VpnServers => Set<VpnServer>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
        builder.HasSequence<long>(VpnServer.PublishGenerationSequence);
    }
}
