using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Transit;

namespace Edge.Cloud.Tests.Transit;

/// <summary>The sign's bilingual name kept in the inventory, for feeds without translations.txt.</summary>
public abstract partial class TransitSuite
{
    [Fact]
    public async Task Without_a_translation_the_sign_takes_its_name_from_the_inventory_and_a_translation_wins_per_language()
    {
        await LinkRoute2Async(); // the route 2 feed has no translations.txt: IGO_PORT is "Λιμάνι Ηγουμενίτσας" only
        Assert.Equal("""{"el":"Λιμάνι Ηγουμενίτσας","en":"Λιμάνι Ηγουμενίτσας"}""", Name(await PortContentAsync()));

        var linked = await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"], new StopName(" Λιμάνι ", "Igoumenitsa Port")));
        Assert.Equal(new StopName("Λιμάνι", "Igoumenitsa Port"), linked.Name);
        Assert.Equal(new StopName("Λιμάνι", "Igoumenitsa Port"), (await Links.GetAsync("bs-port-1")).Name);
        Assert.Equal("""{"el":"Λιμάνι","en":"Igoumenitsa Port"}""", Name(await PortContentAsync()));

        // A feed that translates the stop into English: its translation wins for English, the inventory keeps Greek.
        var translated = new System.Collections.Generic.Dictionary<string, string>(Route2Feed)
        {
            ["translations.txt"] = "table_name,field_name,language,translation,record_id\nstops,stop_name,en,Port of Igoumenitsa,IGO_PORT\n",
        };
        Assert.Equal(2, (await ImportAsync(GtfsFiles.Zip(translated))).Feed);
        Assert.Equal("""{"el":"Λιμάνι","en":"Port of Igoumenitsa"}""", Name(await PortContentAsync()));

        // Half a name is refused and changes nothing; a PUT without a name removes it.
        var refused = await Assert.ThrowsAsync<DomainException>(() => Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"], new StopName("Λιμάνι", " "))));
        Assert.Equal(400, refused.Status);
        Assert.Equal(new StopName("Λιμάνι", "Igoumenitsa Port"), (await Links.GetAsync("bs-port-1")).Name);
        Assert.Null((await Links.PutAsync("installer", "bs-port-1", new StopLinksRequest(["IGO_PORT"]))).Name);
        Assert.Equal("""{"el":"Λιμάνι Ηγουμενίτσας","en":"Port of Igoumenitsa"}""", Name(await PortContentAsync()));
    }

    /// <summary>JSON with Greek letters as they are, to compare with the text in the tests.</summary>
    internal static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Name(System.Text.Json.Nodes.JsonObject content) => content["stop"]!["name"]!.ToJsonString(Readable);
}
