using System;
using System.Text;
using Edge.Gateway.Rules;

namespace Edge.Gateway.Tests.Rules;

/// <summary>
/// The banner a rule puts on the zone's stops always has a real title and a text (docs/display-content.md): the cloud's
/// form is the text with an optional title, and a short text is never used as title and body at once.
/// </summary>
public class RuleBannerTests
{
    static RuleDefinition Rule(string banner)
        => RuleDefinition.Parse(Encoding.UTF8.GetBytes("{\"id\":\"flood-ladochori\",\"zone\":\"ladochori\",\"actions\":{\"banner\":" + banner + "}}"));

    [Fact]
    public void A_banner_without_a_title_gets_the_flood_warning_title_and_keeps_its_text_as_the_text()
    {
        var banner = Rule("""{"el":"Λαδοχώρι: αποφύγετε τα ρέματα.","en":"Ladochori: keep away from the streams."}""").Banner!;
        Assert.Equal("Κίνδυνος πλημμύρας", (string?)banner["title"]!["el"]);
        Assert.Equal("Flood warning", (string?)banner["title"]!["en"]);
        Assert.Equal("Λαδοχώρι: αποφύγετε τα ρέματα.", (string?)banner["text"]!["el"]);
        Assert.Equal("Ladochori: keep away from the streams.", (string?)banner["text"]!["en"]);
    }

    [Fact]
    public void The_clouds_form_with_a_title_keeps_both()
    {
        var banner = Rule("""{"el":"Η στάθμη ανεβαίνει.","en":"The water is rising.","title":{"el":"Προσοχή","en":"Caution"}}""").Banner!;
        Assert.Equal("Προσοχή", (string?)banner["title"]!["el"]);
        Assert.Equal("Caution", (string?)banner["title"]!["en"]);
        Assert.Equal("Η στάθμη ανεβαίνει.", (string?)banner["text"]!["el"]);
        Assert.Equal("The water is rising.", (string?)banner["text"]!["en"]);
    }

    [Fact]
    public void A_text_may_be_up_to_400_characters_a_title_up_to_60()
    {
        var text = new string('α', 400);
        Assert.Equal(text, (string?)Rule("{\"el\":\"" + text + "\",\"en\":\"x\"}").Banner!["text"]!["el"]);
        var error = Assert.Throws<FormatException>(() => Rule("{\"el\":\"x\",\"en\":\"x\",\"title\":{\"el\":\"" + new string('α', 61) + "\",\"en\":\"x\"}}"));
        Assert.Contains("actions.banner.title.el", error.Message, StringComparison.Ordinal);
    }
}
