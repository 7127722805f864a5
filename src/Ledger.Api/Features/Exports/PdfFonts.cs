using PdfSharp.Fonts;

namespace Ledger.Api.Features.Exports;

/// <summary>
/// PDFsharp 6 (the "Core" build: no GDI+, no WPF) finds no fonts on Linux by itself: it asks
/// <see cref="GlobalFontSettings.FontResolver"/>. This one serves DejaVu Sans (regular and bold) from the Debian package
/// <c>fonts-dejavu-core</c> (/usr/share/fonts/truetype/dejavu), whatever family the drawing code asks for. Set once per
/// process, before the first PDF (PDFsharp does not allow changing it after fonts were used).
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    public const string DebianPackage = "fonts-dejavu-core";

    private static readonly string[] Folders = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts"];
    private static readonly Lock Once = new();
    private static bool _installed;

    /// <summary>Installs the resolver (idempotent, thread-safe); throws naming the Debian package when the font files are missing.</summary>
    public static void Install()
    {
        lock (Once)
        {
            if (_installed) return;
            _ = Path("DejaVuSans.ttf"); // fail here, with the package's name, rather than deep inside PDFsharp
            GlobalFontSettings.FontResolver = new PdfFonts();
            _installed = true;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName) => File.ReadAllBytes(Path(faceName + ".ttf"));

    private static string Path(string file) =>
        Folders.Select(f => System.IO.Path.Combine(f, file)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"Font file {file} not found in {string.Join(", ", Folders)}: install the Debian package {DebianPackage}.");
}
