namespace PoFT.Checkpoints;

public enum SafetensorsDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

public static class SafetensorsDTypes
{
    public static int Size(this SafetensorsDType d) => d switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.I16 => 2,
        _ => 1,
    };

    public static bool TryParse(string text, out SafetensorsDType dtype) =>
        Enum.TryParse(text, ignoreCase: false, out dtype) && Enum.IsDefined(dtype);
}
