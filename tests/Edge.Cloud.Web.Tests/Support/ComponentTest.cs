using System;
using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Support;

/// <summary>A bUnit context with the console's real texts (.resx); <see cref="UseCulture"/> sets the page language for
/// one test and the thread's cultures are put back afterwards.</summary>
public abstract class ComponentTest : IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture, _uiCulture = CultureInfo.CurrentUICulture;

    protected ComponentTest() => Context.Services.AddLocalization();

    protected BunitContext Context { get; } = new();

    protected static void UseCulture(string name) => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
        Context.Dispose();
    }
}
