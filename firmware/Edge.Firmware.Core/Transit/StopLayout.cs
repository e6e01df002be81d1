namespace Edge.Firmware.Transit;

/// <summary>
/// Where everything goes on a panel of a given size, computed once. Two designs: a large one (at least
/// 400×240, e.g. 800×480 e-paper) that shows Greek and English together in big type, and a compact one
/// (e.g. 296×128) with one language at a time, alternating every minute.
/// </summary>
internal sealed class StopLayout
{
    public readonly int Width;
    public readonly int Height;
    public readonly bool Large;
    public readonly int Margin;
    public readonly int HeaderHeight;
    public readonly int HeadingY;      // column headings (large only)
    public readonly int RowsY;
    public readonly int RowHeight;
    public readonly int Rows;
    public readonly int FooterY;
    public readonly int RouteWidth;
    public readonly int MinutesWidth;
    public readonly int HeadsignX;
    // identify: the node id is drawn over the header in type big enough to read from the kerb
    public readonly int IdentityHeight;
    public readonly int IdentityScale;
    // banner on the large design: a box under the header, the next departures still below it
    public readonly int BannerTop;
    public readonly int BannerBottom;
    public readonly int BannerRows;     // 0 = the banner takes everything below the header
    public readonly int BannerRowsY;

    /// <summary>The font of the node id while identifying; a property so the glyph table loads on first use.</summary>
    public BitmapFont IdentityFont { get { return Large ? DisplayFonts.Large : DisplayFonts.Medium; } }

    /// <summary>Title bar, frame and four lines of text: the least a banner box needs on the large design.</summary>
    public const int BannerMinHeight = BannerTitleHeight + 4 * BannerLineHeight + 20;

    public const int BannerTitleHeight = 40;

    public const int BannerLineHeight = 26;

        public StopLayout(int width, int height)
    {
        Width = width;
        Height = height;
        Large = width >= 400 && height >= 240;
        if (Large)
        {
            Margin = 12;
            HeaderHeight = 88;
            HeadingY = HeaderHeight + 4;
            RowsY = HeaderHeight + 28;
            RowHeight = 60;
            FooterY = height - 64;
            RouteWidth = 96;
            MinutesWidth = 150;
            IdentityHeight = HeaderHeight;
            IdentityScale = 2;
        }
        else
        {
            Margin = 2;
            HeaderHeight = 18;
            HeadingY = HeaderHeight;
            RowsY = HeaderHeight + 2;
            RowHeight = 26;
            FooterY = height - 18;
            RouteWidth = 50;
            MinutesWidth = 72;
            IdentityHeight = 28; // taller than the header: the medium font does not fit in 18 rows
            IdentityScale = 1;
        }
        int rows = (FooterY - RowsY) / RowHeight;
        Rows = rows < 1 ? 1 : rows > StopDisplay.MaxRows ? StopDisplay.MaxRows : rows;
        HeadsignX = Margin + RouteWidth + (Large ? 16 : 4);
        if (Large)
        {
            BannerTop = HeaderHeight + 6;
            // The box needs its title bar and four lines of text; whole departure rows fill what is left, at most
            // three (the warning stays the larger part of the sign).
            int bannerRows = (height - BannerTop - BannerMinHeight - 8) / RowHeight;
            BannerRows = bannerRows < 0 ? 0 : bannerRows > 3 ? 3 : bannerRows;
            BannerRowsY = height - BannerRows * RowHeight;
            BannerBottom = BannerRows > 0 ? BannerRowsY - 8 : height - Margin;
        }
        else
        {
            BannerTop = HeaderHeight;
            BannerBottom = height;
        }
    }
}
