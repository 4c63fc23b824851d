using System.Diagnostics.CodeAnalysis;

namespace AdminPortal.Web.Errors;

/// <summary>An expected failure, returned as a value and shown as problem+json or an inline form message.</summary>
public abstract record PortalError(string Title, string Detail, int Status);

public sealed record InvalidInput(string Field, string Message)
    : PortalError("The request is not valid", Message, StatusCodes.Status400BadRequest);

public sealed record NotFound(string What, string Key)
    : PortalError($"{What} not found", $"There is no {What.ToLowerInvariant()} '{Key}'.", StatusCodes.Status404NotFound);

public sealed record Conflict(string Message)
    : PortalError("Conflict", Message, StatusCodes.Status409Conflict);

/// <summary>Either a value or a <see cref="PortalError"/>.</summary>
public readonly record struct Result<T>(T? Value, PortalError? Error)
{
    /// <summary>
    /// True with a value, false with an error; after the check the compiler knows which is there (no <c>!</c> needed).
    /// A result is made from a non-null value or from an error, so Ok also means Value is set.
    /// </summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Ok => Error is null;
    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(PortalError error) => new(default, error);
}
