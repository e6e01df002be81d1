namespace Edge.Firmware.Transit;

/// <summary>A warning that takes over the whole screen (a flood warning, a closed road).</summary>
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
