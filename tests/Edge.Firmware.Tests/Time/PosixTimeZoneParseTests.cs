using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Time;

/// <summary>Every way a typed rule can be wrong is rejected with what is wrong and where (positions from 0).</summary>
public class PosixTimeZoneParseTests
{
    [Fact]
    public void Truncated_rule_says_what_was_expected_and_where()
    {
        FormatException e = Assert.Throws<FormatException>(() => PosixTimeZone.Parse("EET-2EEST,M3.5"));
        Assert.Equal("TZ rule \"EET-2EEST,M3.5\": expected '.' at position 14", e.Message);
    }

    [Theory]
    // Names
    [InlineData(":Europe/Athens", 0, "zone-file name")]
    [InlineData("", 0, "expected a standard-time name")]
    [InlineData("3EET", 0, "expected a standard-time name")]
    [InlineData("EE-2", 0, "\"EE\"")]
    [InlineData("<+03", 4, "expected '>'")]
    [InlineData("<ABCD", 5, "expected '>'")]
    [InlineData("<+0 3>-3", 3, "unexpected ' '")]
    [InlineData("<+3>-3", 0, "shorter than 3 characters")]
    [InlineData("<>0", 0, "shorter than 3 characters")]
    [InlineData("EET-2EE", 5, "daylight-saving-time name \"EE\"")]
    [InlineData("EET-2,M3.5.0,M10.5.0", 5, "expected a daylight-saving-time name")]
    [InlineData("EET-2 ", 5, "expected a daylight-saving-time name")]
    // Offsets
    [InlineData("EET", 3, "expected the UTC offset of standard time")]
    [InlineData("EET-", 4, "expected the UTC offset of standard time")]
    [InlineData("Europe/Athens", 6, "zone names such as Europe/Athens are not rules")]
    [InlineData("EET-25", 4, "is 25, out of range 0..24")]
    [InlineData("EET-99999999999999", 4, "out of range 0..24")]
    [InlineData("EET-2:", 6, "expected the minutes")]
    [InlineData("EET-2:60", 6, "minutes of the UTC offset of standard time at position 6 is 60")]
    [InlineData("EET-2:00:60", 9, "seconds of the UTC offset of standard time at position 9 is 60")]
    [InlineData("EET-2EEST-x", 10, "expected the UTC offset of daylight-saving time")]
    [InlineData("EET-2EEST-", 10, "expected the UTC offset of daylight-saving time")]
    [InlineData("EET-2EEST-25,M3.5.0,M10.5.0", 10, "daylight-saving time at position 10 is 25")]
    // Rule structure
    [InlineData("EET-2EEST,", 10, "expected the DST start date")]
    [InlineData("EET-2EEST,M3.5.0/3", 18, "expected ','")]
    [InlineData("EET-2EEST,M3.5.0M10.5.0", 16, "expected ',' at position 16, found 'M'")]
    [InlineData("EET-2EEST,M3.5.0/3,", 19, "expected the DST end date")]
    [InlineData("EET-2EEST,M3.5.0/3,M10.5.0/4x", 28, "unexpected 'x'")]
    [InlineData("EET-2EEST,M3.5.0,M10.5.0 ", 24, "unexpected ' '")]
    // Dates
    [InlineData("EET-2EEST,X3.5.0,M10.5.0", 10, "expected the DST start date (Mm.w.d, Jn or n)")]
    [InlineData("EET-2EEST,M.5.0,M10.5.0", 11, "expected the month")]
    [InlineData("EET-2EEST,M13.5.0,M10.5.0", 11, "month of the DST start date at position 11 is 13, out of range 1..12")]
    [InlineData("EET-2EEST,M0.5.0,M10.5.0", 11, "is 0, out of range 1..12")]
    [InlineData("EET-2EEST,M3,M10.5.0", 12, "expected '.'")]
    [InlineData("EET-2EEST,M3.0.0,M10.5.0", 13, "week of the DST start date")]
    [InlineData("EET-2EEST,M3.6.0,M10.5.0", 13, "out of range 1..5")]
    [InlineData("EET-2EEST,M3.5.7,M10.5.0", 15, "weekday of the DST start date (0 = Sunday) at position 15 is 7")]
    [InlineData("EET-2EEST,M3.5.0,M10.5.", 23, "expected the weekday of the DST end date (0 = Sunday)")]
    [InlineData("EET-2EEST,J,J365", 11, "expected the day of the DST start date")]
    [InlineData("EET-2EEST,J0,J365", 11, "is 0, out of range 1..365")]
    [InlineData("EET-2EEST,J366,J365", 11, "is 366, out of range 1..365")]
    [InlineData("EET-2EEST,0,366", 12, "day of the DST end date (n counts 0..365 with Feb 29) at position 12 is 366")]
    // Change times
    [InlineData("EET-2EEST,M3.5.0/x,M10.5.0", 17, "expected the time of the DST start")]
    [InlineData("EET-2EEST,M3.5.0/-,M10.5.0", 18, "expected the time of the DST start")]
    [InlineData("EET-2EEST,M3.5.0/3,M10.5.0/", 27, "expected the time of the DST end")]
    [InlineData("EET-2EEST,M3.5.0/168,M10.5.0", 17, "is 168, out of range 0..167")]
    [InlineData("EET-2EEST,M3.5.0/-168,M10.5.0", 18, "is 168, out of range 0..167")]
    [InlineData("EET-2EEST,M3.5.0/3:60,M10.5.0", 19, "minutes of the time of the DST start")]
    [InlineData("EET-2EEST,M3.5.0/3:00:60,M10.5.0", 22, "seconds of the time of the DST start")]
    public void Malformed_rule_is_rejected_with_what_and_where(string rule, int position, string what)
    {
        FormatException e = Assert.Throws<FormatException>(() => PosixTimeZone.Parse(rule));
        Assert.StartsWith("TZ rule \"" + rule + "\": ", e.Message);
        Assert.Contains("position " + position, e.Message);
        Assert.Contains(what, e.Message);

        Assert.False(PosixTimeZone.TryParse(rule, out PosixTimeZone? zone, out string error));
        Assert.Null(zone);
        Assert.Equal(e.Message, error);
    }

    [Theory]
    [InlineData("UTC0")]
    [InlineData("<-03>3")]
    [InlineData("<+0330>-3:30")]
    [InlineData("EST5EDT")]
    [InlineData("EST+5EDT+4:00:00,M3.2.0/2:00:00,M11.1.0/2:00:00")]
    [InlineData("EST5EDT,0/0,J365/25")]
    [InlineData("<-04>4<-03>,M9.1.6/24,M4.1.6/24")]
    [InlineData("<-02>2<-01>,M3.5.0/-1,M10.5.0/0")]
    [InlineData("ABC-24DEF,M1.1.0/167,M12.5.6/-167")]
    [InlineData("abc0def,J1/0:00:01,365/23:59:59")]
    public void Well_formed_rules_parse(string rule)
    {
        PosixTimeZone zone = PosixTimeZone.Parse(rule);
        Assert.Equal(rule, zone.Rule);
    }
}
