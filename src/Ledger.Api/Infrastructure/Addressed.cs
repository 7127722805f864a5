using FluentValidation;
using FluentValidation.Results;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// A domain command plus where it goes, taken from the route: the agency and, for Renstra and year streams, the
/// period start or year. Domain commands do not repeat what the stream already says.
/// </summary>
public sealed record Addressed<TCommand>(string Agency, int Key, TCommand Command)
{
    /// <summary>The caller's role, for writes whose meaning depends on it (a revision by staff is a proposal).</summary>
    public string? Role { get; init; }

    /// <summary>A new id for what the command may create (a proposal); made once per request, so a retry after a lost race reuses it.</summary>
    public Guid NewId { get; init; }

    /// <summary>The proposal named by the route's <c>{proposalId}</c>, for approve/reject.</summary>
    public Guid ProposalId { get; init; }

    /// <summary>A second number from the route, e.g. a recommendation's <c>{n}</c>.</summary>
    public int Item { get; init; }
}

/// <summary>Validates an <see cref="Addressed{TCommand}"/> by its command, so error keys stay the body's field names.</summary>
public sealed class AddressedValidator<TCommand>(IValidator<TCommand> inner) : IValidator<Addressed<TCommand>>
{
    public ValidationResult Validate(Addressed<TCommand> instance) => inner.Validate(instance.Command);

    public Task<ValidationResult> ValidateAsync(Addressed<TCommand> instance, CancellationToken cancellation = default) =>
        inner.ValidateAsync(instance.Command, cancellation);

    public ValidationResult Validate(IValidationContext context) =>
        inner.Validate(new ValidationContext<TCommand>(((Addressed<TCommand>)context.InstanceToValidate).Command));

    public Task<ValidationResult> ValidateAsync(IValidationContext context, CancellationToken cancellation = default) =>
        inner.ValidateAsync(new ValidationContext<TCommand>(((Addressed<TCommand>)context.InstanceToValidate).Command), cancellation);

    public IValidatorDescriptor CreateDescriptor() => inner.CreateDescriptor();
    public bool CanValidateInstancesOfType(Type type) => type == typeof(Addressed<TCommand>);
}

/// <summary>
/// Validates an <see cref="Addressed{TCommand}"/> whose <c>Key</c> is a year (the route's <c>{year}</c> or
/// <c>{periodStart}</c>, or the body's <c>year</c>): it must be 2000–2100, reported under <paramref name="keyName"/>;
/// then the command's own validator runs.
/// </summary>
public sealed class YearAddressedValidator<TCommand>(IValidator<TCommand> inner, string keyName) : AbstractValidator<Addressed<TCommand>>
{
    public const int MinYear = Ledger.Domain.StreamYears.First;
    public const int MaxYear = Ledger.Domain.StreamYears.Last;

    public override ValidationResult Validate(ValidationContext<Addressed<TCommand>> context) => Check(context.InstanceToValidate, inner.Validate(context.InstanceToValidate.Command));

    public override async Task<ValidationResult> ValidateAsync(ValidationContext<Addressed<TCommand>> context, CancellationToken cancellation = default) =>
        Check(context.InstanceToValidate, await inner.ValidateAsync(context.InstanceToValidate.Command, cancellation));

    private ValidationResult Check(Addressed<TCommand> addressed, ValidationResult result)
    {
        if (addressed.Key is < MinYear or > MaxYear)
            result.Errors.Insert(0, new ValidationFailure(keyName, $"'{keyName}' is required and must be a year from {MinYear} to {MaxYear}.")
            {
                ErrorCode = BodyRules.YearCode,
            });
        return result;
    }
}

public static class ValidatorRegistration
{
    /// <summary>Registers a body's validator for its addressed form whose key is a year named <paramref name="keyName"/>.</summary>
    public static IServiceCollection AddYearAddressedValidator<TCommand, TValidator>(this IServiceCollection services, string keyName)
        where TValidator : class, IValidator<TCommand>
    {
        services.AddSingleton<TValidator>();
        services.AddSingleton<IValidator<Addressed<TCommand>>>(sp => new YearAddressedValidator<TCommand>(sp.GetRequiredService<TValidator>(), keyName));
        return services;
    }

    /// <summary>Registers a command's validator for the command and for its addressed form (explicit: no assembly scanning).</summary>
    public static IServiceCollection AddCommandValidator<TCommand, TValidator>(this IServiceCollection services)
        where TValidator : class, IValidator<TCommand>
    {
        services.AddSingleton<IValidator<TCommand>, TValidator>();
        services.AddSingleton<IValidator<Addressed<TCommand>>>(sp => new AddressedValidator<TCommand>(sp.GetRequiredService<IValidator<TCommand>>()));
        return services;
    }
}
