using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Commands;

/// <summary>One line per command endpoint: <c>group.MapCommand("/counters/{id}/increments", Increment.Handler, IncrementBody.ToCommand)</c>.</summary>
public static class CommandEndpointRouteBuilderExtensions
{
    /// <summary>The JSON body is the command itself.</summary>
    public static RouteHandlerBuilder MapCommand<TCommand, TState>(
        this IEndpointRouteBuilder endpoints, string pattern, CommandHandlerDefinition<TCommand, TState> handler,
        int successStatus = StatusCodes.Status200OK, string httpMethod = "POST") =>
        endpoints.MapCommand<TCommand, TCommand, TState>(pattern, handler, static (_, body) => body, successStatus, httpMethod);

    /// <summary>
    /// The JSON body is a <typeparamref name="TBody"/>; <paramref name="map"/> merges route values (and anything
    /// else from the request) into the command. Malformed JSON or wrong types are a 400 naming the field, never a 500.
    /// </summary>
    public static RouteHandlerBuilder MapCommand<TBody, TCommand, TState>(
        this IEndpointRouteBuilder endpoints, string pattern, CommandHandlerDefinition<TCommand, TState> handler,
        Func<HttpContext, TBody, TCommand> map, int successStatus = StatusCodes.Status200OK, string httpMethod = "POST")
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(map);
        if (successStatus is < 200 or > 299) throw new ArgumentOutOfRangeException(nameof(successStatus), "A success status is 2xx.");

        Func<HttpContext, Task> endpoint = http => CommandEndpoint.HandleAsync(http, handler, map, successStatus);
        return endpoints.MapMethods(pattern, [httpMethod], endpoint)
            .Accepts(typeof(TBody), "application/json")
            .Produces(successStatus)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }
}
