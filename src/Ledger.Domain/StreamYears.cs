namespace Ledger.Domain;

/// <summary>
/// The years a stream key may carry (<c>renstra-{agency}-{periodStart}</c>, <c>year-{agency}-{year}</c>). Every command
/// addressed by a year or a period start is refused outside them (the API's <c>YearAddressedValidator</c>), so no stream
/// of the log names another; the read models find an agency's streams by naming each of them (the state projection's
/// cold cache), which needs no scan of the stream table.
/// </summary>
public static class StreamYears
{
    public const int First = 2000;
    public const int Last = 2100;
}
