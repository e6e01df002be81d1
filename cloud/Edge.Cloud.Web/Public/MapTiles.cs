using System;
using System.Collections.Generic;
using System.Globalization;

namespace Edge.Cloud.Web.Public;

/// <summary>One raster tile placed under the map: where its corners fall in the drawing.</summary>
public sealed record MapTile(string Url, double X, double Y, double Width, double Height);

/// <summary>
/// The XYZ raster tiles (OpenStreetMap's "slippy map" numbering: Web Mercator, <c>{z}/{x}/{y}</c>, y from the north)
/// that cover the drawing, each placed by projecting its corners with the map's own projection. Inside one tile the
/// map's equirectangular drawing and Mercator differ by well under a pixel at town scale. The zoom makes a tile about
/// 256 px wide, lowered until at most <see cref="MaxTiles"/> cover the drawing. Tiles are plain <c>&lt;image&gt;</c>
/// elements: with no internet the browser fails to load them and the map shows as before.
/// </summary>
public static class MapTiles
{
    public const int MaxTiles = 48;

    public static IReadOnlyList<MapTile> Cover(MapProjection projection, double width, double height, string template, int maxZoom)
    {
        var (north, west) = projection.Unproject(0, 0);
        var (south, east) = projection.Unproject(width, height);
        var zoom = (int)Math.Clamp(Math.Round(Math.Log2(360 * projection.PixelsPerDegreeLon / 256)), 0, Math.Clamp(maxZoom, 0, 22));
        int x0, x1, y0, y1;
        while (true)
        {
            (x0, y0) = (TileX(west, zoom), TileY(north, zoom));
            (x1, y1) = (TileX(east, zoom), TileY(south, zoom));
            if ((x1 - x0 + 1) * (y1 - y0 + 1) <= MaxTiles || zoom == 0) break;
            zoom--;
        }
        var tiles = new List<MapTile>();
        for (var x = x0; x <= x1; x++)
        {
            for (var y = y0; y <= y1; y++)
            {
                var (left, top) = projection.Project(Lat(y, zoom), Lon(x, zoom));
                var (right, bottom) = projection.Project(Lat(y + 1, zoom), Lon(x + 1, zoom));
                tiles.Add(new MapTile(Url(template, zoom, x, y), left, top, right - left, bottom - top));
            }
        }
        return tiles;
    }

    /// <summary>The tile column holding a longitude at a zoom (the OpenStreetMap wiki's "Slippy map tilenames").</summary>
    public static int TileX(double lon, int zoom) => Math.Clamp((int)Math.Floor((lon + 180) / 360 * (1 << zoom)), 0, (1 << zoom) - 1);

    /// <summary>The tile row holding a latitude at a zoom (Web Mercator, row 0 at the north).</summary>
    public static int TileY(double lat, int zoom)
    {
        var rad = Math.Clamp(lat, -85.0511, 85.0511) * Math.PI / 180;
        return Math.Clamp((int)Math.Floor((1 - Math.Log(Math.Tan(rad) + 1 / Math.Cos(rad)) / Math.PI) / 2 * (1 << zoom)), 0, (1 << zoom) - 1);
    }

    /// <summary>Longitude of a tile column's west edge.</summary>
    public static double Lon(int x, int zoom) => x / (double)(1 << zoom) * 360 - 180;

    /// <summary>Latitude of a tile row's north edge.</summary>
    public static double Lat(int y, int zoom) => Math.Atan(Math.Sinh(Math.PI * (1 - 2.0 * y / (1 << zoom)))) * 180 / Math.PI;

    public static string Url(string template, int zoom, int x, int y) => template
        .Replace("{z}", zoom.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{x}", x.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{y}", y.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The origin (<c>https://tile.openstreetmap.org</c>) the CSP's <c>img-src</c> must allow for a template, or
    /// null when the template is empty or not an absolute http(s) address.</summary>
    public static string? Origin(string? template)
    {
        if (string.IsNullOrWhiteSpace(template)) return null;
        var probe = Url(template, 0, 0, 0);
        return Uri.TryCreate(probe, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
    }
}
