namespace Edge.Firmware.Transit;

/// <summary>A warning (a flood warning, a closed road): a title and a text, both bilingual, at the top of the sign.</summary>
public sealed class EmergencyBanner
{
    public EmergencyBanner(BilingualText title, BilingualText text)
    {
        Title = title;
        Text = text;
    }

    public BilingualText Title { get; }

    public BilingualText Text { get; }
}
