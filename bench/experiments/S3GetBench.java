// What the AWS SDK's request pipeline costs a GET of a small object: 16 threads GET every key of
// a list once through S3Client.getObject ("sdk"), then through the SDK's SigV4 signer and its
// Apache HTTP client alone ("lean", what store.s3.ObjectGets does), in alternating rounds; prints
// reads/s and the process's CPU per GET (S3Proxy's own CPU not included; it shares the cores).
// Against the bucket of bench/scaling/s3-tier.sh (or any S3Proxy with objects under PREFIX):
//   export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
//   javac -cp "WEB-INF/lib/*" S3GetBench.java   (the WAR's WEB-INF/lib, unzipped)
//   java -cp "WEB-INF/lib/*:." S3GetBench http://127.0.0.1:PORT BUCKET PREFIX KEYS_FILE ROUNDS
import java.io.*; import java.lang.management.*; import java.net.URI; import java.nio.file.*; import java.util.*; import java.util.concurrent.*; import java.util.concurrent.atomic.*;
import software.amazon.awssdk.services.s3.*; import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.core.checksums.*; import software.amazon.awssdk.http.*; import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner; import software.amazon.awssdk.identity.spi.*; import software.amazon.awssdk.auth.credentials.*;
public class S3GetBench {
  public static void main(String[] a) throws Exception {
    String endpoint=a[0], bucket=a[1], prefix=a[2]; List<String> keys=Files.readAllLines(Path.of(a[3])); int rounds=Integer.parseInt(a[4]);
    S3Client s3=S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true).endpointOverride(URI.create(endpoint))
      .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED).responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    SdkHttpClient http=Apache5HttpClient.builder().build();
    AwsCredentialsProvider creds=DefaultCredentialsProvider.builder().build();
    AwsV4HttpSigner signer=AwsV4HttpSigner.create();
    var os=(com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
    ExecutorService pool=Executors.newFixedThreadPool(16);
    for (int r=0;r<rounds;r++) for (String mode: new String[]{"sdk","lean"}) {
      AtomicInteger next=new AtomicInteger(); long bytes[]=new long[1];
      long c0=os.getProcessCpuTime(), t0=System.nanoTime();
      List<Future<Long>> fs=new ArrayList<>();
      for (int t=0;t<16;t++) fs.add(pool.submit(() -> { long b=0; byte[] buf=new byte[65536]; int i;
        while ((i=next.getAndIncrement())<keys.size()) { String name=prefix+keys.get(i);
          InputStream in;
          if (mode.equals("sdk")) { in=s3.getObject(x->x.bucket(bucket).key(name)); }
          else {
            SdkHttpFullRequest req=SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(URI.create(endpoint+"/"+bucket+"/"+name))
              .putHeader("x-amz-content-sha256","UNSIGNED-PAYLOAD").build();
            AwsCredentialsIdentity id=creds.resolveIdentity().join();
            var signed=signer.sign(s->s.identity(id).request(req).putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME,"s3").putProperty(AwsV4HttpSigner.REGION_NAME,"us-east-1")
              .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED,false).putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE,false).putProperty(AwsV4HttpSigner.NORMALIZE_PATH,false));
            HttpExecuteResponse resp=http.prepareRequest(HttpExecuteRequest.builder().request(signed.request()).build()).call();
            if (resp.httpResponse().statusCode()!=200) throw new IOException("status "+resp.httpResponse().statusCode()+" "+resp.httpResponse().headers());
            resp.httpResponse().firstMatchingHeader("x-amz-meta-polycache-sha256").orElseThrow();
            in=resp.responseBody().orElseThrow();
          }
          try (in) { int n; while ((n=in.read(buf))>=0) b+=n; }
        } return b; }));
      long total=0; for (var f:fs) total+=f.get();
      long c1=os.getProcessCpuTime(), t1=System.nanoTime();
      System.out.printf("round %d %-4s %d GETs %d bytes: %.0f/s, CPU %.3f ms/GET, load %s%n", r, mode, keys.size(), total, keys.size()/((t1-t0)/1e9), (c1-c0)/1e6/keys.size(), Files.readString(Path.of("/proc/loadavg")).substring(0,14));
    }
    pool.shutdown(); s3.close(); http.close();
  }
}
