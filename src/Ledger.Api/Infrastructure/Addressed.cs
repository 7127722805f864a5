using FluentValidation;
using FluentValidation.Results;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// A domain command plus where it goes, taken from the route: the agency and, for Renstra and year streams, the
/// period start or year. Domain commands do not repeat what the stream already says.
/// </summary>
public sealed record Addressed<TCommand>(string Agency, int Key, TCommand Command);

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

public static class ValidatorRegistration
{
    /// <summary>Registers a command's validator for the command and for its addressed form (explicit: no assembly scanning).</summary>
    public static IServiceCollection AddCommandValidator<TCommand, TValidator>(this IServiceCollection services)
        where TValidator : class, IValidator<TCommand>
    {
        services.AddSingleton<IValidator<TCommand>, TValidator>();
        services.AddSingleton<IValidator<Addressed<TCommand>>>(sp => new AddressedValidator<TCommand>(sp.GetRequiredService<IValidator<TCommand>>()));
        return services;
    }
}
