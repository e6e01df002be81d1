using System.Text;
using Edge.Firmware.Protocol;
using Xunit;

namespace Edge.Firmware.Tests.Protocol;

/// <summary>The shared validating reader behind the protocol decoders and the document parsers.</summary>
public class DocumentReaderTests
{
    private static DocumentReader Over(string json, DocumentReader r)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        r.Reset(utf8, 0, utf8.Length);
        return r;
    }

    [Fact]
    public void Collecting_reader_records_every_problem_with_its_path_and_keeps_reading()
    {
        var r = Over("{\"a\": \"x\", \"b\": 140, \"c\": 7}", new DocumentReader(int.MaxValue));
        Assert.True(r.Enter(JsonToken.StartObject, "", "an object"));
        long a = 0, b = 0, c = 0;
        while (r.NextProperty())
        {
            if (r.Is("a")) a = r.Whole("a", 0, 100, -1);
            else if (r.Is("b")) b = r.Whole("b", 0, 100, -1);
            else if (r.Is("c")) c = r.Whole("c", 0, 100, -1);
        }
        r.Finish();
        Assert.Equal(-1, a);
        Assert.Equal(-1, b);
        Assert.Equal(7, c);
        Assert.Equal(new[] { "a: expected a whole number", "b: 140 is out of range 0..100" }, r.TakeErrors());
    }

    [Fact]
    public void Empty_path_names_the_document_and_Add_keeps_a_message_as_it_is()
    {
        var r = Over("[1]", new DocumentReader(int.MaxValue));
        Assert.False(r.Enter(JsonToken.StartObject, "", "an object"));
        r.Add("a nested problem");
        Assert.Equal(new[] { "(document): expected an object", "a nested problem" }, r.TakeErrors());
    }

    [Fact]
    public void Stopping_reader_throws_at_the_first_problem_naming_what_was_found()
    {
        var r = Over("{\"a\": [1], \"b\": true}", new DocumentReader(1) { StopAtFirstError = true, NameWhatWasFound = true });
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        var e = Assert.Throws<JsonFormatException>(() => r.Label("a", 10));
        Assert.Equal("a: expected a string, found an array", e.Message);
    }

    [Fact]
    public void Must_be_wording_replaces_expected()
    {
        var r = Over("{\"n\": \"7\"}", new DocumentReader(int.MaxValue) { MismatchVerb = "must be " });
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        r.Whole("n", 0, 10, 0);
        Assert.Equal("n: must be a whole number", r.ErrorAt(0));
    }

    [Theory]
    [InlineData("60.0", true, 60L, "")]
    [InlineData("1e2", true, 100L, "")]
    [InlineData("60.5", true, -1L, "n: expected a whole number")]
    [InlineData("60.0", false, -1L, "n: expected a whole number")]
    [InlineData("99999999999999999999", false, -1L, "n: expected a whole number")]
    [InlineData("99999999999999999999", true, -1L, "n: expected a whole number")]
    public void Whole_numbers_by_value_accept_a_whole_fraction_or_exponent(string number, bool byValue, long expected, string error)
    {
        var r = Over("{\"n\": " + number + "}", new DocumentReader(int.MaxValue) { WholeNumbersByValue = byValue });
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        Assert.Equal(expected, r.Whole("n", -1000, 1000, -1));
        Assert.Equal(error, r.ErrorCount == 0 ? "" : r.ErrorAt(0));
    }

    [Fact]
    public void A_bounded_reader_counts_every_problem_but_stores_only_its_bound()
    {
        var r = Over("{}", new DocumentReader(DocumentReader.MaxMessageErrors));
        for (int i = 0; i < 20; i++) r.Error("p" + i, "bad");
        Assert.Equal(20, r.ErrorCount);
        Assert.Equal(DocumentReader.MaxMessageErrors, r.StoredErrors);
        Assert.Equal(DocumentReader.MaxMessageErrors, r.TakeErrors().Length);
        Assert.Equal("p7: bad", r.ErrorAt(7));
    }

    [Fact]
    public void Choice_returns_the_index_or_leaves_an_unknown_name_to_the_caller()
    {
        var names = new[] { "stream", "tank" };
        var r = Over("{\"a\": \"tank\", \"b\": \"lake\", \"c\": 3}", new DocumentReader(int.MaxValue));
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        Assert.Equal(1, r.Choice("a", names, "a mode"));
        r.NextProperty();
        Assert.Equal(DocumentReader.NotAChoice, r.Choice("b", names, "a mode"));
        Assert.Equal("lake", r.Json.GetString());
        r.NextProperty();
        Assert.Equal(-1, r.Choice("c", names, "a mode"));
        Assert.Equal(new[] { "c: expected a mode" }, r.TakeErrors());
    }

    [Fact]
    public void Unknown_members_are_worded_as_fields_or_properties_and_skipped()
    {
        var r = Over("{\"x\": {\"deep\": [1, 2]}, \"y\": 1, \"z\": 2}", new DocumentReader(int.MaxValue));
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        r.UnknownField("sensor");
        r.NextProperty();
        r.UnknownProperty("");
        r.NextProperty();
        Assert.True(r.Is("z"));
        Assert.Equal(new[] { "sensor.x: unknown field", "(document): unknown property \"y\"" }, r.TakeErrors());
    }

    [Fact]
    public void Repeated_members_and_errors_about_a_path_are_recognised()
    {
        var r = Over("{\"a\": 1, \"a\": {\"b\": 2}, \"c\": 3}", new DocumentReader(int.MaxValue));
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        Assert.True(r.FirstTime("thresholds.a"));
        r.SkipValue();
        r.NextProperty();
        Assert.False(r.FirstTime("thresholds.a"));
        r.NextProperty();
        Assert.True(r.Is("c"));
        Assert.True(r.HasErrorAbout("thresholds"));
        Assert.True(r.HasErrorAbout("thresholds.a"));
        Assert.False(r.HasErrorAbout("threshold"));
        Assert.Equal(new[] { "thresholds.a: given more than once" }, r.TakeErrors());
    }

    [Fact]
    public void An_over_long_id_is_kept_so_later_checks_still_see_it()
    {
        var r = Over("{\"id\": \"abcdefgh\", \"e\": \"\"}", new DocumentReader(int.MaxValue));
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        Assert.Equal("abcdefgh", r.Id("id", 4));
        r.NextProperty();
        Assert.Equal("", r.Id("e", 4));
        Assert.Equal(new[] { "id: longer than 4 characters", "e: must not be empty" }, r.TakeErrors());
    }

    [Fact]
    public void Reset_forgets_the_previous_document()
    {
        var r = Over("{\"a\": \"x\"}", new DocumentReader(int.MaxValue));
        r.Enter(JsonToken.StartObject, "", "an object");
        r.NextProperty();
        Assert.True(r.FirstTime("a"));
        r.Whole("a", 0, 1, 0);
        Over("{\"a\": 1}", r);
        Assert.Equal(0, r.ErrorCount);
        Assert.True(r.FirstTime("a"));
    }

    [Fact]
    public void Rejections_derive_from_one_base_carrying_the_errors()
    {
        var errors = new[] { "a: bad", "b: worse" };
        DocumentRejectedException[] all =
        {
            new Edge.Firmware.Lighting.ScheduleFormatException(errors),
            new Edge.Firmware.Hydro.GaugeConfigException(errors),
            new MessageFormatException(MessageFormatException.Invalid, 3, errors, 2),
        };
        foreach (var e in all)
        {
            Assert.Equal(errors, e.Errors);
            Assert.IsAssignableFrom<JsonFormatException>(e);
        }
    }
}
