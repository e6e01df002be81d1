using System;
using System.Collections.Generic;
using System.Linq;

namespace Edge.Cloud.Web.Public;

/// <summary>
/// Places latitude/longitude on an SVG of the given size: equirectangular, with longitude scaled by the cosine of
/// the mean latitude (at 39.5° N a degree of longitude is 0.77 of a degree of latitude), north up, the points'
/// bounding box fitted inside the margin with the same scale on both axes (shapes are not stretched).
/// </summary>
public sealed class MapProjection
{
    private readonly double _minLat, _minLon, _cos, _scale, _offsetX, _offsetY, _height;

    public MapProjection(IEnumerable<(double Lat, double Lon)> points, double width, double height, double margin)
    {
        var list = points.ToList();
        if (list.Count == 0) throw new ArgumentException("at least one point", nameof(points));
        _minLat = list.Min(p => p.Lat);
        var maxLat = list.Max(p => p.Lat);
        _minLon = list.Min(p => p.Lon);
        var maxLon = list.Max(p => p.Lon);
        _cos = Math.Cos((_minLat + maxLat) / 2 * Math.PI / 180);
        var spanX = Math.Max((maxLon - _minLon) * _cos, 1e-9);
        var spanY = Math.Max(maxLat - _minLat, 1e-9);
        _scale = Math.Min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
        // Centre the box: the spare room of the longer side is split on both sides.
        _offsetX = (width - spanX * _scale) / 2;
        _offsetY = (height - spanY * _scale) / 2;
        _height = height;
    }

    /// <summary>Pixels per degree of longitude (what fixes a tile zoom level).</summary>
    public double PixelsPerDegreeLon => _scale * _cos;

    /// <summary>The position under an SVG point (the inverse of <see cref="Project"/>).</summary>
    public (double Lat, double Lon) Unproject(double x, double y) =>
        (_minLat + (_height - y - _offsetY) / _scale, _minLon + (x - _offsetX) / (_cos * _scale));

    public (double X, double Y) Project(double lat, double lon) =>
        (_offsetX + (lon - _minLon) * _cos * _scale, _height - (_offsetY + (lat - _minLat) * _scale));
}
