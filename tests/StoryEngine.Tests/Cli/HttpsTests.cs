using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// Kestrel serving HTTPS itself, configured the way docs/security.md tells an operator: a certificate file in
/// <c>Kestrel:Certificates:Default:Path</c> and an https address. A self-signed certificate made here stands in for a
/// real one.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("storyengine-https-").FullName;

    [Fact]
    public async Task the_server_speaks_tls_with_the_configured_certificate_and_sends_hsts()
    {
        using var certificate = SelfSigned();
        var path = Path.Combine(_dir, "server.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "test-pfx-password"));
        var (process, address) = await CliProcess.StartServerAsync(
            Path.Combine(_dir, "data"),
            new Dictionary<string, string>
            {
                ["Kestrel__Certificates__Default__Path"] = path,
                ["Kestrel__Certificates__Default__Password"] = "test-pfx-password",
            },
            urls: "https://127.0.0.1:0"
        );
        try
        {
            Assert.Equal("https", address.Scheme);
            X509Certificate2? presented = null;
            using var trusting = new HttpClient(
                new SocketsHttpHandler
                {
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        // Trust exactly this certificate, as a client with the operator's CA would.
                        RemoteCertificateValidationCallback = (_, cert, _, _) =>
                        {
                            presented = cert is null ? null : new X509Certificate2(cert);
                            return presented?.Thumbprint == certificate.Thumbprint;
                        },
                    },
                }
            )
            {
                BaseAddress = address,
            };
            var response = await trusting.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
            Assert.Contains(
                "max-age=31536000",
                response.Headers.GetValues("Strict-Transport-Security").Single(),
                StringComparison.Ordinal
            );

            // A client that does not trust the certificate cannot talk to it: it really is TLS.
            using var strict = new HttpClient { BaseAddress = address };
            await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync("/health/live"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=storyengine.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)
        );
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
