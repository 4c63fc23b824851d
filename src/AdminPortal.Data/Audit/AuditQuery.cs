using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Data.Audit;

/// <summary>Filters of the audit trail; every one optional. <c>Action</c> matches a dotted prefix.</summary>
public sealed record AuditFilter(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Actor = null, string? Action = null,
    string? Target = null, string? Outcome = null)
{
    /// <summary>The first text filter the database could not hold (a NUL, a lone surrogate), or null.</summary>
    public string? UnstorableField() =>
        new (string Name, string? Value)[] { ("actor", Actor), ("action", Action), ("target", Target), ("outcome", Outcome) }
            .FirstOrDefault(f => f.Value is not null && !AuditText.IsStorable(f.Value)).Name;
}

public sealed record AuditEventDto(
    long Sequence, DateTimeOffset OccurredAt, string Actor, string ActorRole, string Action, string Target,
    System.Text.Json.JsonElement Details, string? ClientAddress, string Outcome, string PrevHash, string Hash)
{
    public static AuditEventDto From(AuditEvent e) => new(
        e.Sequence, e.OccurredAt, e.Actor, e.ActorRole, e.Action, e.Target,
        System.Text.Json.JsonDocument.Parse(e.Details).RootElement.Clone(), e.ClientAddress, e.Outcome,
        Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash));
}

public sealed record AuditPage(IReadOnlyList<AuditEventDto> Items, long? NextBefore);

/// <summary>Reads the audit trail newest first with keyset paging (<c>before</c> = a sequence number), fast at any depth.</summary>
public sealed class AuditQuery(IDbContextFactory<PortalDbContext> dbs)
{
    public const int MaxPageSize = 500;

    public async Task<AuditPage> PageAsync(AuditFilter filter, long? before, int limit, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = Apply(db.AuditEvents.AsNoTracking(), filter);
        if (before is { } b) q = q.Where(e => e.Sequence < b);
        var rows = await q.OrderByDescending(e => e.Sequence).Take(limit + 1).ToListAsync(ct);
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new AuditPage(rows.Select(AuditEventDto.From).ToList(), more ? rows[^1].Sequence : null);
    }

    public async Task<AuditEventDto?> GetAsync(long sequence, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var e = await db.AuditEvents.AsNoTracking().FirstOrDefaultAsync(x => x.Sequence == sequence, ct);
        return e is null ? null : AuditEventDto.From(e);
    }

    /// <summary>Every matching event, oldest first, streamed (for export).</summary>
    public async IAsyncEnumerable<AuditEvent> StreamAsync(AuditFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await foreach (var e in Apply(db.AuditEvents.AsNoTracking(), filter).OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
            yield return e;
    }

    private static IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> q, AuditFilter f)
    {
        // No stored event holds such text, and PostgreSQL would refuse the parameter.
        if (f.UnstorableField() is not null) return q.Where(_ => false);
        // PostgreSQL timestamptz takes UTC only: a filter given with an offset is the same instant in UTC.
        if (f.From?.ToUniversalTime() is { } from) q = q.Where(e => e.OccurredAt >= from);
        if (f.To?.ToUniversalTime() is { } to) q = q.Where(e => e.OccurredAt < to);
        if (!string.IsNullOrEmpty(f.Actor)) q = q.Where(e => e.Actor == f.Actor);
        if (!string.IsNullOrEmpty(f.Action))
        {
            // A dotted prefix: "host.key" matches "host.key" and "host.key.replaced", not "host.keys".
            var name = f.Action.TrimEnd('.');
            var children = name + ".";
            q = q.Where(e => e.Action == name || e.Action.StartsWith(children));
        }
        if (!string.IsNullOrEmpty(f.Target)) q = q.Where(e => e.Target == f.Target);
        if (!string.IsNullOrEmpty(f.Outcome)) q = q.Where(e => e.Outcome == f.Outcome);
        return q;
    }
}
