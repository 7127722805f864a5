using Ledger.Importing;

namespace Ledger.Api.Tests.Datasets;

public sealed class IndonesianNumberTests
{
    [Theory]
    [InlineData("1.234,56", "1234.56")]
    [InlineData("92,93", "92.93")]
    [InlineData("0,75", "0.75")]
    [InlineData("15.625.599.024", "15625599024")]
    [InlineData("14.231.127.419,00", "14231127419.00")]
    [InlineData("1234", "1234")]
    [InlineData(" 75,5 ", "75.5")]
    [InlineData("-3,5", "-3.5")]
    [InlineData("0", "0")]
    public void Parse_IndonesianFormats(string text, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), IndonesianNumber.Parse(text));

    [Theory]
    [InlineData("1.234", "ambiguous")]          // 1234 or 1.234
    [InlineData("68.58", "decimal mark")]       // seed 001 prints the SKM target this way
    [InlineData("1,234.56", "English")]
    [InlineData("1.23,4", "groups thousands")]
    [InlineData("12.34.567", "groups thousands")]
    [InlineData("1,2,3", "more than one")]
    [InlineData("", "empty")]
    [InlineData("abc", "not a number")]
    [InlineData("1 234", "not a number")]
    public void Parse_RefusesAmbiguousOrForeignInput_SayingWhy(string text, string reason)
    {
        Assert.False(IndonesianNumber.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Csv_ParsesRows_AndReportsBadCellsWithTheirLine()
    {
        var rows = RealizationCsv.Parse("indicator;year;period;value;claimedCapaian\nI1;2023;y;0,75;93,75\nI4;2023;Y;75.5;\n");
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Equal("Y", rows[0].Body!["period"]!.GetValue<string>());
        Assert.Equal(0.75m, rows[0].Body!["value"]!.GetValue<decimal>());
        Assert.Equal(93.75m, rows[0].Body!["claimedCapaian"]!.GetValue<decimal>());
        Assert.Equal(3, rows[1].Line);
        Assert.Contains("decimal mark", rows[1].Error);
    }

    [Fact]
    public void Csv_WithoutTheRequiredColumns_IsRefusedAtTheHeader() =>
        Assert.Contains("value", Assert.Single(RealizationCsv.Parse("indicator,year,period,value\nI1,2023,Y,1")).Error);
}
