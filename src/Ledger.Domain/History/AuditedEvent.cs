namespace Ledger.Domain.History;

/// <summary>Who recorded an event, as the store's actor metadata says (a snapshot taken at write time).</summary>
public sealed record Actor(string? Name, string? Nip, string? Role)
{
    public static Actor Unknown { get; } = new(null, null, null);
}

/// <summary>
/// A decoded domain event with the store's metadata an auditor needs: global sequence, id, stream, recorded time,
/// actor and the write's reason. <see cref="StreamYear"/> is the year of a <c>year-{agency}-{year}</c> stream and null
/// for a Renstra stream. The store is not referenced here: the API builds these from its RecordedEvents, so the
/// history mapping and the findings rules stay pure functions with database-free tests.
/// </summary>
public sealed record AuditedEvent(
    long Sequence, Guid Id, string Stream, int? StreamYear, DateTimeOffset RecordedAt, Actor Actor, string? Reason, IDomainEvent Event);
