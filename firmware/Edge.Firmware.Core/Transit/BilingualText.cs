namespace Edge.Firmware.Transit;

/// <summary>A text in Greek and in English, as every public line of the sign carries.</summary>
public sealed class BilingualText
{
    public BilingualText(string greek, string english)
    {
        Greek = greek;
        English = english;
    }

    public string Greek { get; }

    public string English { get; }

    public string In(DisplayLanguage language) { return language == DisplayLanguage.Greek ? Greek : English; }
}

public enum DisplayLanguage
{
    Greek = 0,
    English = 1,
}
