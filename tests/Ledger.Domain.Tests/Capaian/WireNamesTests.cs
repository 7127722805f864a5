using Ledger.Domain.Capaian;

namespace Ledger.Domain.Tests.Capaian;

public class WireNamesTests
{
    [Theory]
    [InlineData(Polarity.Higher, "higher")]
    [InlineData(Polarity.Lower, "lower")]
    public void Given_A_Polarity_When_Written_And_Read_Then_The_Wire_Name_Round_Trips(Polarity value, string wire)
    {
        Assert.Equal(wire, WireNames.ToWire(value));
        Assert.True(WireNames.TryParsePolarity(wire, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData(LowerFormula.Inverse2T, "inverse-2t")]
    [InlineData(LowerFormula.RatioInverse, "ratio-inverse")]
    public void Given_A_Lower_Formula_When_Written_And_Read_Then_The_Wire_Name_Round_Trips(LowerFormula value, string wire)
    {
        Assert.Equal(wire, WireNames.ToWire(value));
        Assert.True(WireNames.TryParseLowerFormula(wire, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData(Aggregation.Sum, "sum")]
    [InlineData(Aggregation.Last, "last")]
    [InlineData(Aggregation.Average, "average")]
    [InlineData(Aggregation.Annual, "annual")]
    public void Given_An_Aggregation_When_Written_And_Read_Then_The_Wire_Name_Round_Trips(Aggregation value, string wire)
    {
        Assert.Equal(wire, WireNames.ToWire(value));
        Assert.True(WireNames.TryParseAggregation(wire, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData(Period.Q1, "Q1")]
    [InlineData(Period.Q2, "Q2")]
    [InlineData(Period.Q3, "Q3")]
    [InlineData(Period.Q4, "Q4")]
    [InlineData(Period.S1, "S1")]
    [InlineData(Period.S2, "S2")]
    [InlineData(Period.Y, "Y")]
    public void Given_A_Period_When_Written_And_Read_Then_The_Wire_Name_Round_Trips(Period value, string wire)
    {
        Assert.Equal(wire, WireNames.ToWire(value));
        Assert.True(WireNames.TryParsePeriod(wire, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData("Higher")]
    [InlineData("HIGHER")]
    [InlineData(" higher")]
    [InlineData("")]
    [InlineData(null)]
    public void Given_An_Unknown_Or_Wrong_Case_Polarity_When_Parsed_Then_It_Fails(string? wire)
    {
        Assert.False(WireNames.TryParsePolarity(wire, out _));
    }

    [Theory]
    [InlineData("Inverse2T")]
    [InlineData("inverse2t")]
    [InlineData("Ratio-Inverse")]
    public void Given_An_Unknown_Lower_Formula_When_Parsed_Then_It_Fails(string wire)
    {
        Assert.False(WireNames.TryParseLowerFormula(wire, out _));
    }

    [Theory]
    [InlineData("Sum")]
    [InlineData("avg")]
    [InlineData("stock")]
    public void Given_An_Unknown_Aggregation_When_Parsed_Then_It_Fails(string wire)
    {
        Assert.False(WireNames.TryParseAggregation(wire, out _));
    }

    [Theory]
    [InlineData("q1")]
    [InlineData("y")]
    [InlineData("Q5")]
    [InlineData("TW1")]
    public void Given_An_Unknown_Or_Lower_Case_Period_When_Parsed_Then_It_Fails(string wire)
    {
        Assert.False(WireNames.TryParsePeriod(wire, out _));
    }

    [Fact]
    public void Given_An_Undefined_Enum_Value_When_Written_Then_It_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WireNames.ToWire((Period)99));
    }
}
