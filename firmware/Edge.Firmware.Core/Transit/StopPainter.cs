namespace Edge.Firmware.Transit;

/// <summary>
/// Draws the state of a <see cref="StopDisplay"/> onto a <see cref="BandCanvas"/>. Every element is
/// drawn in full-frame coordinates and clipped by the canvas, so any band comes out exactly as the same
/// rows of a whole frame. Fixed texts are constants; nothing is allocated.
/// </summary>
internal sealed class StopPainter
{
    private const string LiveUnavailableEl = "Δεν υπάρχουν ζωντανά δεδομένα";
    private const string LiveUnavailableEn = "Live data unavailable";
    private const string TimetableEl = "Ώρες από το πρόγραμμα";
    private const string TimetableEn = "Times from the timetable";
    private const string NoDeparturesEl = "Δεν υπάρχουν δρομολόγια";
    private const string NoDeparturesEn = "No departures";
    private const string RouteHeading = "Γραμμή · Line";
    private const string DestinationHeading = "Προορισμός · Destination";
    private const string MinutesHeading = "Σε λεπτά · in min";
    private const string ScheduledLegend = "* πρόγραμμα · timetable";
    private const string MinutesUnit = "λεπτά min";
    private const string DueEl = "Τώρα";
    private const string DueEn = "Due";
    private const string DueEnSmall = "due";
    private const string CancelledEl = "Ακυρώθηκε";
    private const string CancelledEn = "cancelled";
    private const string CancelledShortEl = "Ακύρ.";
    private const string CancelledShortEn = "Canc.";
    private const string NoClock = "--:--";

    private readonly StopLayout _l;

    public StopPainter(StopLayout layout) { _l = layout; }

    public void Paint(StopDisplay d, BandCanvas c)
    {
        Header(d, c);
        if (d.BannerShown) Banner(d, d.Banner!, c);
        else if (_l.Large) LargeBoard(d, c);
        else CompactBoard(d, c);
        if (d.Identity != null) Identity(d.Identity, c);
    }

    // ---- identify: the node id, large, in a black band over the header ----

    private void Identity(string nodeId, BandCanvas c)
    {
        int height = _l.IdentityHeight;
        if (!c.Touches(0, height)) return;
        c.Fill(0, 0, _l.Width, height, true);
        BitmapFont font = _l.IdentityFont;
        int scale = _l.IdentityScale;
        int max = _l.Width - 2 * _l.Margin;
        int w = BandCanvas.TextWidth(font, nodeId.Length, scale);
        if (w > max) w = max;
        c.Text(font, nodeId, (_l.Width - w) / 2, (height - font.Height * scale) / 2, max, scale, false);
    }

    // ---- header: stop name and clock, white on black ----

    private void Header(StopDisplay d, BandCanvas c)
    {
        if (!c.Touches(0, _l.HeaderHeight)) return;
        c.Fill(0, 0, _l.Width, _l.HeaderHeight, true);
        if (_l.Large)
        {
            BitmapFont clockFont = DisplayFonts.Large;
            int clockWidth = BandCanvas.TextWidth(clockFont, 5, 2);
            int clockX = _l.Width - _l.Margin - clockWidth;
            Clock(d, c, clockFont, clockX, 12, 2);
            int nameWidth = clockX - 16 - _l.Margin;
            if (d.StopName != null)
            {
                c.Text(DisplayFonts.Large, d.StopName.Greek, _l.Margin, 8, nameWidth, 1, false);
                c.Text(DisplayFonts.Medium, d.StopName.English, _l.Margin, 50, nameWidth, 1, false);
            }
        }
        else
        {
            BitmapFont font = DisplayFonts.Small;
            int clockX = _l.Width - 3 - BandCanvas.TextWidth(font, 5, 1);
            Clock(d, c, font, clockX, 1, 1);
            if (d.StopName != null) c.Text(font, d.StopName.In(d.Language), 3, 1, clockX - 8 - 3, 1, false);
        }
    }

    private static void Clock(StopDisplay d, BandCanvas c, BitmapFont font, int x, int y, int scale)
    {
        if (d.ClockKnown) c.Chars(font, d.Clock, 5, x, y, scale, false);
        else c.Text(font, NoClock, x, y, BandCanvas.TextWidth(font, 5, scale), scale, false);
    }

    // ---- 800×480 class: both languages ----

    private void LargeBoard(StopDisplay d, BandCanvas c)
    {
        int m = _l.Margin;
        int right = _l.Width - m;
        BitmapFont small = DisplayFonts.Small;
        if (c.Touches(_l.HeadingY, 24))
        {
            c.Text(small, RouteHeading, m, _l.HeadingY, _l.HeadsignX - m, 1, true);
            c.Text(small, DestinationHeading, _l.HeadsignX, _l.HeadingY, right - _l.HeadsignX, 1, true);
            RightText(c, small, MinutesHeading, right, _l.HeadingY, 1, true);
            if (d.AnyScheduled)
            {
                int legendRight = right - _l.MinutesWidth - 16;
                RightText(c, small, ScheduledLegend, legendRight, _l.HeadingY, 1, true);
            }
            c.Fill(m, _l.HeadingY + 20, right - m, 2, true);
        }

        if (d.RowCount == 0)
        {
            c.Text(DisplayFonts.Large, NoDeparturesEl, _l.HeadsignX, _l.RowsY + 8, right - _l.HeadsignX, 1, true);
            c.Text(DisplayFonts.Medium, NoDeparturesEn, _l.HeadsignX, _l.RowsY + 44, right - _l.HeadsignX, 1, true);
        }
        for (int i = 0; i < d.RowCount; i++) LargeRow(d, c, i, _l.RowsY + i * _l.RowHeight, i + 1 < d.RowCount);

        int fy = _l.FooterY;
        if (!c.Touches(fy, _l.Height - fy)) return;
        BitmapFont medium = DisplayFonts.Medium;
        if (!d.Live)
        {
            c.Fill(0, fy, _l.Width, _l.Height - fy, true);
            int w = c.Text(medium, LiveUnavailableEl, m, fy + 6, right - m, 1, false);
            c.Text(medium, LiveUnavailableEn, m, fy + 34, right - m, 1, false);
            if (d.RowCount > 0)
            {
                RightText(c, medium, TimetableEl, right, fy + 6, 1, false, w + 2 * m);
                RightText(c, medium, TimetableEn, right, fy + 34, 1, false, w + 2 * m);
            }
        }
        else
        {
            c.Fill(0, fy, _l.Width, 2, true);
            if (d.Notice != null)
            {
                c.Text(medium, d.Notice.Greek, m, fy + 8, right - m, 1, true);
                c.Text(medium, d.Notice.English, m, fy + 36, right - m, 1, true);
            }
        }
    }

    private void LargeRow(StopDisplay d, BandCanvas c, int i, int y, bool separator)
    {
        if (!c.Touches(y, _l.RowHeight)) return;
        Arrival a = d.RowAt(i);
        int m = _l.Margin;
        int right = _l.Width - m;
        BitmapFont large = DisplayFonts.Large;
        BitmapFont medium = DisplayFonts.Medium;
        BitmapFont small = DisplayFonts.Small;

        c.Fill(m, y + 4, _l.RouteWidth, _l.RowHeight - 8, true);
        CenteredText(c, large, a.Route, m, _l.RouteWidth, y + (_l.RowHeight - large.Height) / 2, false);

        int textWidth = right - _l.MinutesWidth - 8 - _l.HeadsignX;
        int drawn = c.Text(large, a.Headsign.Greek, _l.HeadsignX, y + 2, textWidth, 1, true);
        c.Text(medium, a.Headsign.English, _l.HeadsignX, y + 34, textWidth, 1, true);

        if (a.Cancelled)
        {
            c.Fill(_l.HeadsignX, y + 2 + large.Height / 2, drawn, 3, true);
            RightText(c, medium, CancelledEl, right, y + 6, 1, true);
            RightText(c, small, CancelledEn, right, y + 36, 1, true);
        }
        else if (d.Due[i])
        {
            int mark = d.MinutesLength[i] > 0 ? large.Width : 0;
            RightText(c, large, DueEl, right - mark, y + 2, 1, true);
            if (mark > 0) c.Chars(large, d.Minutes[i], d.MinutesLength[i], right - mark, y + 2, 1, true);
            RightText(c, small, DueEnSmall, right, y + 38, 1, true);
        }
        else
        {
            int n = d.MinutesLength[i];
            c.Chars(large, d.Minutes[i], n, right - BandCanvas.TextWidth(large, n, 1), y + 2, 1, true);
            if (!d.ShowsClockTime[i]) RightText(c, small, MinutesUnit, right, y + 38, 1, true);
        }
        if (separator) c.Fill(_l.HeadsignX, y + _l.RowHeight - 1, right - _l.HeadsignX, 1, true);
    }

    // ---- 296×128 class: one language at a time ----

    private void CompactBoard(StopDisplay d, BandCanvas c)
    {
        DisplayLanguage lang = d.Language;
        BitmapFont medium = DisplayFonts.Medium;
        BitmapFont small = DisplayFonts.Small;
        int right = _l.Width - _l.Margin;
        if (d.RowCount == 0)
        {
            c.Text(medium, lang == DisplayLanguage.Greek ? NoDeparturesEl : NoDeparturesEn, _l.Margin + 2, _l.RowsY + 4, right - _l.Margin, 1, true);
        }
        for (int i = 0; i < d.RowCount; i++)
        {
            int y = _l.RowsY + i * _l.RowHeight;
            if (!c.Touches(y, _l.RowHeight)) continue;
            Arrival a = d.RowAt(i);
            c.Fill(_l.Margin, y + 1, _l.RouteWidth, _l.RowHeight - 2, true);
            CenteredText(c, medium, a.Route, _l.Margin, _l.RouteWidth, y + 1, false);
            int textWidth = right - _l.MinutesWidth - 4 - _l.HeadsignX;
            int drawn = c.Text(medium, a.Headsign.In(lang), _l.HeadsignX, y + 1, textWidth, 1, true);
            if (a.Cancelled)
            {
                c.Fill(_l.HeadsignX, y + 1 + medium.Height / 2, drawn, 2, true);
                RightText(c, medium, lang == DisplayLanguage.Greek ? CancelledShortEl : CancelledShortEn, right, y + 1, 1, true);
            }
            else if (d.Due[i])
            {
                int mark = d.MinutesLength[i] > 0 ? medium.Width : 0;
                RightText(c, medium, lang == DisplayLanguage.Greek ? DueEl : DueEn, right - mark, y + 1, 1, true);
                if (mark > 0) c.Chars(medium, d.Minutes[i], d.MinutesLength[i], right - mark, y + 1, 1, true);
            }
            else
            {
                int n = d.MinutesLength[i];
                c.Chars(medium, d.Minutes[i], n, right - BandCanvas.TextWidth(medium, n, 1), y + 1, 1, true);
            }
        }

        int fy = _l.FooterY;
        if (!c.Touches(fy - 2, _l.Height - fy + 2)) return;
        if (!d.Live)
        {
            c.Fill(0, fy, _l.Width, _l.Height - fy, true);
            c.Text(small, lang == DisplayLanguage.Greek ? LiveUnavailableEl : LiveUnavailableEn, 3, fy + 1, _l.Width - 6, 1, false);
        }
        else
        {
            if (d.Banner != null)
            {
                // The banner's minutes alternate with these: its title stays on the sign, white on black.
                c.Fill(0, fy - 2, _l.Width, _l.Height - fy + 2, true);
                c.Text(small, d.Banner.Title.In(lang), 3, fy + 1, _l.Width - 6, 1, false);
                return;
            }
            c.Fill(0, fy - 2, _l.Width, 1, true);
            if (d.Notice != null) c.Text(small, d.Notice.In(lang), 3, fy + 1, _l.Width - 6, 1, true);
        }
    }

    // ---- emergency banner: a framed notice under the header; on the large design the next departures stay below ----

    private void Banner(StopDisplay d, EmergencyBanner b, BandCanvas c)
    {
        if (_l.Large)
        {
            LargeBanner(b, c);
            LargeBannerRows(d, c);
            return;
        }
        DisplayLanguage lang = d.Language;
        int top = _l.HeaderHeight;
        c.Fill(0, top + 2, _l.Width, 26, true);
        c.Text(DisplayFonts.Medium, b.Title.In(lang), 3, top + 3, _l.Width - 6, 1, false);
        int textTop = top + 2 + 26 + 2;
        int lines = (_l.Height - textTop) / 17;
        Wrapped(c, DisplayFonts.Small, b.Text.In(lang), 3, textTop, _l.Width - 6, 17, lines);
    }

    private void LargeBanner(EmergencyBanner b, BandCanvas c)
    {
        int m = _l.Margin;
        int boxY = _l.BannerTop;
        int boxH = _l.BannerBottom - boxY;
        if (!c.Touches(boxY, boxH)) return;
        const int border = 4;
        int titleH = StopLayout.BannerTitleHeight;
        // A black frame with a black title bar: the look of an official warning notice.
        c.Fill(m, boxY, _l.Width - 2 * m, boxH, true);
        c.Fill(m + border, boxY + titleH, _l.Width - 2 * m - 2 * border, boxH - titleH - border, false);
        int x = m + border + 8;
        int inner = _l.Width - 2 * (m + border + 8);
        // Greek title large on the left, English title on the right of the same bar (shortened, never over the Greek).
        int greek = c.Text(DisplayFonts.Large, b.Title.Greek, x, boxY + (titleH - DisplayFonts.Large.Height) / 2, inner, 1, false);
        RightText(c, DisplayFonts.Medium, b.Title.English, x + inner, boxY + (titleH - DisplayFonts.Medium.Height) / 2, 1, false, x + greek + 24);

        int lineHeight = StopLayout.BannerLineHeight;
        int textTop = boxY + titleH + 6;
        int bottom = boxY + boxH - border - 2;
        int lines = (bottom - textTop - 8) / lineHeight;
        // Greek first, on at most half the lines (rounded up); English below it, after a small gap.
        int used = Wrapped(c, DisplayFonts.Medium, b.Text.Greek, x, textTop, inner, lineHeight, (lines + 1) / 2);
        int englishTop = textTop + used * lineHeight + 8;
        Wrapped(c, DisplayFonts.Medium, b.Text.English, x, englishTop, inner, lineHeight, (bottom - englishTop) / lineHeight);
    }

    /// <summary>The next departures under the banner: the first rows of the board, without headings or notices.</summary>
    private void LargeBannerRows(StopDisplay d, BandCanvas c)
    {
        if (_l.BannerRows == 0) return;
        int m = _l.Margin;
        int right = _l.Width - m;
        if (d.RowCount == 0)
        {
            int y = _l.BannerRowsY;
            if (!c.Touches(y, _l.RowHeight)) return;
            c.Text(DisplayFonts.Large, NoDeparturesEl, _l.HeadsignX, y + 2, right - _l.HeadsignX, 1, true);
            c.Text(DisplayFonts.Medium, NoDeparturesEn, _l.HeadsignX, y + 34, right - _l.HeadsignX, 1, true);
            return;
        }
        int rows = d.RowCount < _l.BannerRows ? d.RowCount : _l.BannerRows;
        for (int i = 0; i < rows; i++) LargeRow(d, c, i, _l.BannerRowsY + i * _l.RowHeight, i + 1 < rows);
    }

    // ---- text helpers ----

    private static void RightText(BandCanvas c, BitmapFont font, string text, int right, int y, int scale, bool ink)
    {
        RightText(c, font, text, right, y, scale, ink, 0);
    }

    /// <summary>Right-aligned at <paramref name="right"/>, shortened if it would reach left of <paramref name="leftLimit"/>.</summary>
    private static void RightText(BandCanvas c, BitmapFont font, string text, int right, int y, int scale, bool ink, int leftLimit)
    {
        int width = BandCanvas.TextWidth(font, text.Length, scale);
        int x = right - width;
        if (x < leftLimit) x = leftLimit;
        c.Text(font, text, x, y, right - x, scale, ink);
    }

    private static void CenteredText(BandCanvas c, BitmapFont font, string text, int x, int width, int y, bool ink)
    {
        int w = BandCanvas.TextWidth(font, text.Length, 1);
        if (w > width - 4) w = width - 4;
        c.Text(font, text, x + (width - w) / 2, y, width - 4, 1, ink);
    }

    /// <summary>
    /// Greedy word wrap into at most <paramref name="maxLines"/> lines; a word longer than a line is
    /// broken between glyphs; text left over after the last line ends in an ellipsis. Returns lines used.
    /// </summary>
    private static int Wrapped(BandCanvas c, BitmapFont font, string text, int x, int y, int width, int lineHeight, int maxLines)
    {
        int perLine = width / font.Width;
        if (perLine <= 0 || maxLines <= 0) return 0;
        int pos = 0;
        int line = 0;
        while (line < maxLines)
        {
            while (pos < text.Length && text[pos] == ' ') pos++;
            if (pos >= text.Length) break;
            int remaining = text.Length - pos;
            int ly = y + line * lineHeight;
            if (remaining <= perLine || line == maxLines - 1)
            {
                c.Text(font, text, pos, remaining, x, ly, width, 1, true);
                line++;
                break;
            }
            int count = perLine;
            for (int k = pos + perLine; k > pos; k--)
            {
                if (text[k] == ' ') { count = k - pos; break; }
            }
            c.Text(font, text, pos, count, x, ly, width, 1, true);
            pos += count;
            line++;
        }
        return line;
    }
}
