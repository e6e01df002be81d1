using System.Linq;
using Edge.Cloud.Web.Hosting;
using Edge.Cloud.Web.Public;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>The map's tile background: tile numbers by the OpenStreetMap wiki's "Slippy map tilenames" formulas, and
/// tiles that cover the whole drawing edge to edge.</summary>
public sealed class MapTilesTests
{
    [Theory]
    // Igoumenitsa port (39.5047° N, 20.2643° E), worked out with the wiki's formulas:
    // x = floor((lon + 180) / 360 · 2^z), y = floor((1 − asinh(tan φ) / π) / 2 · 2^z).
    [InlineData(15, 18228, 12463)]
    [InlineData(17, 72914, 49855)]
    [InlineData(0, 0, 0)]
    public void Tile_numbers_follow_the_slippy_map_formulas(int zoom, int x, int y)
    {
        Assert.Equal(x, MapTiles.TileX(20.2643, zoom));
        Assert.Equal(y, MapTiles.TileY(39.5047, zoom));
        Assert.Equal(85.0511, MapTiles.Lat(0, zoom), 4); // the Web Mercator square's northern edge
        Assert.Equal(-180, MapTiles.Lon(0, zoom));
    }

    [Fact]
    public void The_tiles_cover_the_drawing_without_gaps()
    {
        var projection = new MapProjection([(39.5040, 20.2650), (39.5142, 20.2876), (39.5047, 20.2643)], 960, 640, 30);
        var tiles = MapTiles.Cover(projection, 960, 640, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", 19);

        Assert.InRange(tiles.Count, 2, MapTiles.MaxTiles);
        Assert.True(tiles.Min(t => t.X) <= 0 && tiles.Min(t => t.Y) <= 0);
        Assert.True(tiles.Max(t => t.X + t.Width) >= 960 && tiles.Max(t => t.Y + t.Height) >= 640);
        // About 256 px a tile, and each tile's right edge is where the next column starts.
        Assert.All(tiles, t => Assert.InRange(t.Width, 128, 512));
        var columns = tiles.Select(t => t.X).Distinct().Order().ToList();
        for (var i = 1; i < columns.Count; i++) Assert.Equal(columns[i], tiles.First(t => t.X == columns[i - 1]).X + tiles.First(t => t.X == columns[i - 1]).Width, 6);
        Assert.Matches(@"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", tiles[0].Url);
    }

    [Fact]
    public void The_content_security_policy_allows_images_from_the_tile_origin_only()
    {
        Assert.Equal("https://tile.openstreetmap.org", MapTiles.Origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png"));
        Assert.Contains("img-src 'self' data: https://tile.openstreetmap.org;", SecurityHeaders.PolicyFor(MapTiles.Origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png")));
        Assert.Null(MapTiles.Origin(""));
        Assert.Null(MapTiles.Origin("javascript:{z}"));
        Assert.Contains("img-src 'self' data:;", SecurityHeaders.PolicyFor(null));
    }
}
