using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Audit;

/// <summary>One link of the tamper-evident audit chain. Rows are only ever inserted.</summary>
public class AuditEvent
{
    public long Sequence { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Actor { get; set; }
    public required string ActorRole { get; set; }
    public required string Action { get; set; }
    public required string Target { get; set; }
    /// <summary>JSON text exactly as hashed (stored as PostgreSQL <c>json</c>, which keeps the text verbatim).</summary>
    public required string Details { get; set; }
    public string? ClientAddress { get; set; }
    public required string Outcome { get; set; }
    public required byte[] PrevHash { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>The single row that holds the chain's head; writers lock it to append.</summary>
public class AuditChainHead
{
    public int Id { get; set; }
    public long Sequence { get; set; }
    public required byte[] Hash { get; set; }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.ToTable("audit_events");
        b.HasKey(e => e.Sequence);
        b.Property(e => e.Sequence).HasColumnName("sequence").ValueGeneratedNever();
        b.Property(e => e.OccurredAt).HasColumnName("occurred_at");
        b.Property(e => e.Actor).HasColumnName("actor").HasMaxLength(256);
        b.Property(e => e.ActorRole).HasColumnName("actor_role").HasMaxLength(32);
        b.Property(e => e.Action).HasColumnName("action").HasMaxLength(128);
        b.Property(e => e.Target).HasColumnName("target").HasMaxLength(512);
        b.Property(e => e.Details).HasColumnName("details").HasColumnType("json");
        b.Property(e => e.ClientAddress).HasColumnName("client_address").HasMaxLength(64);
        b.Property(e => e.Outcome).HasColumnName("outcome").HasMaxLength(16);
        b.Property(e => e.PrevHash).HasColumnName("prev_hash");
        b.Property(e => e.Hash).HasColumnName("hash");
        b.HasIndex(e => e.OccurredAt);
        b.HasIndex(e => new { e.Actor, e.Sequence });
        b.HasIndex(e => new { e.Action, e.Sequence }).HasOperators("text_pattern_ops", "int8_ops");
        b.HasIndex(e => new { e.Target, e.Sequence });
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> b)
    {
        b.ToTable("audit_chain_head");
        b.Property(h => h.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(h => h.Sequence).HasColumnName("sequence");
        b.Property(h => h.Hash).HasColumnName("hash");
        b.HasData(new AuditChainHead { Id = 1, Sequence = 0, Hash = new byte[32] });
    }
}
