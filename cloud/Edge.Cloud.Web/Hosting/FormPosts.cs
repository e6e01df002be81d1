using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// The console's few form endpoints outside the pages (language, sign-out): the form is read and its antiforgery
/// token checked first; without a valid token the answer is 400 and nothing happens.
/// </summary>
public static class FormPosts
{
    public static async Task<IResult> HandleAsync(HttpContext context, Func<IFormCollection, Task<IResult>> handle)
    {
        var antiforgery = (IAntiforgery)context.RequestServices.GetService(typeof(IAntiforgery))!;
        if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form refused",
                detail: "the form's antiforgery token is missing or invalid: reload the page and try again");
        }
        return await handle(await context.Request.ReadFormAsync(context.RequestAborted));
    }
}
